/**
 * @module
 * Turns a config schema failure into one readable error.
 */
import { InvalidArgumentError } from "@jumpstarter/core";
import type { ZodType, z } from "zod";

/** Parses `config` with `schema`, throwing an {@link InvalidArgumentError} naming every bad key. */
export function parseConfig<S extends ZodType>(driver: string, schema: S, config: unknown): z.output<S> {
  const parsed = schema.safeParse(config);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "config"}: ${issue.message}`).join("; ");
  throw new InvalidArgumentError(`invalid ${driver} config: ${problems}`);
}
