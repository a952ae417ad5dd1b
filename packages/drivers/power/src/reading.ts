/**
 * @module
 * Validation of power readings received from a driver.
 */
import { InvalidArgumentError } from "@jumpstarter/core";
import { z } from "zod";
import type { PowerReading } from "./interface.js";

const PowerReadingSchema = z.object({ voltage: z.number(), current: z.number() });

/** Checks that a wire value is a `{voltage, current}` reading (extra keys are dropped). */
export function parsePowerReading(value: unknown): PowerReading {
  const parsed = PowerReadingSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "reading"}: ${issue.message}`).join("; ");
    throw new InvalidArgumentError(`invalid power reading ${JSON.stringify(value)}: ${problems}`);
  }
  return { voltage: parsed.data.voltage, current: parsed.data.current };
}

/** Apparent power in volt-amperes. */
export function apparentPower(reading: PowerReading): number {
  return reading.voltage * reading.current;
}
