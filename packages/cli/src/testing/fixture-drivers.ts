/**
 * @module
 * Drivers for the CLI's own tests, loaded from exporter configs with the local-file `type:` syntax
 * (`/abs/path/fixture-drivers.js#Lamp`). Not part of the package surface.
 */
import { appendFileSync } from "node:fs";
import type { DriverOptions } from "@jumpstarter/core";
import { Driver, exportMethod } from "@jumpstarter/core";
import { z } from "zod";

/** Config of {@link Lamp}. */
export const LampConfigSchema = z
  .object({
    brightness: z.number().int().min(0).max(100).default(50),
    /** File that gets one line per close (lets tests see that close ran). */
    closeLog: z.string().optional(),
    /** Make close() fail with this message. */
    failClose: z.string().optional(),
  })
  .strict();

/** A lamp: on/off/brightness. */
export class Lamp extends Driver {
  static readonly configSchema = LampConfigSchema;
  readonly config: z.output<typeof LampConfigSchema>;
  lit = false;

  constructor(config: z.input<typeof LampConfigSchema>, options: DriverOptions = {}) {
    super(options);
    this.config = LampConfigSchema.parse(config);
  }

  override client(): string {
    return "test_lamp.client.LampClient";
  }

  @exportMethod
  on(): null {
    this.lit = true;
    return null;
  }

  @exportMethod
  brightness(): number {
    return this.config.brightness;
  }

  override async close(): Promise<void> {
    if (this.config.closeLog) appendFileSync(this.config.closeLog, `closed ${this.config.brightness}\n`);
    await super.close();
    if (this.config.failClose) throw new Error(this.config.failClose);
  }
}

/** A driver whose constructor always fails, like one whose device is missing. */
export class BrokenLamp extends Driver {
  constructor(config: { device?: string }, options: DriverOptions = {}) {
    super(options);
    throw new Error(`device ${config.device ?? "/dev/lamp0"} is missing`);
  }

  override client(): string {
    return "test_lamp.client.LampClient";
  }
}

/** Not a driver class (tests the error for a wrong export). */
export const notADriver = 42;
