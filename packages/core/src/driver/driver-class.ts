/**
 * @module
 * How exporters construct drivers from configuration: every driver class takes its config object (keys
 * spelled as in the reference YAML) and the common {@link DriverOptions}, and may carry a schema that
 * validates the config first.
 */
import type { Driver, DriverOptions } from "./driver.js";

/** Result of a schema check, shaped like zod's `safeParse`. */
export type SchemaResult<T> =
  | { readonly success: true; readonly data: T }
  | { readonly success: false; readonly error: { readonly issues: ReadonlyArray<{ readonly path: ReadonlyArray<PropertyKey>; readonly message: string }> } };

/** A config validator (a zod schema satisfies this). */
export interface ConfigSchema<T = unknown> {
  safeParse(value: unknown): SchemaResult<T>;
}

/** A constructible driver class, as named by an ExporterConfig `type:`. */
export interface DriverClass<T = never> {
  new (config: T, options: DriverOptions): Driver;
  /** Validates `config:` before construction; unknown keys should be rejected. */
  readonly configSchema?: ConfigSchema<T>;
  readonly name: string;
}
