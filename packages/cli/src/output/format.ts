/**
 * @module
 * `-o json|yaml|name` output shared by the list commands.
 */
import { UsageError } from "../errors.js";

/** Output formats a command may accept. */
export type OutputFormat = "json" | "yaml" | "name" | "path";

/** Checks `value` against the formats a command accepts. */
export function parseOutput<F extends OutputFormat>(value: string | undefined, allowed: readonly F[]): F | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as F;
  throw new UsageError(`invalid value for -o/--output: ${JSON.stringify(value)} (choose from ${allowed.join(", ")})`);
}

/** JSON with 4-space indent, as the reference prints. */
export function toJsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 4)}\n`;
}

/** YAML with 2-space indent. */
export async function toYamlText(value: unknown): Promise<string> {
  const { stringify } = await import("yaml");
  return stringify(value, { indent: 2 });
}
