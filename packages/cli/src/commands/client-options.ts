/**
 * @module
 * Options shared by the client commands (`jmp create|get|delete|update`, `jmp shell`): the client config
 * selection, repeatable `-l` selectors, `k=v` pairs, and opening a controller session.
 */
import type { ControllerSession } from "../distributed/client-api.js";
import { UsageError } from "../errors.js";

/** Commander collector for repeatable options. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Parses repeated `k=v` options into a map (`--tag`, `--context`). */
export function parsePairs(values: readonly string[], flag: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const value of values) {
    const equals = value.indexOf("=");
    if (equals <= 0) throw new UsageError(`${flag} expects KEY=VALUE, got ${JSON.stringify(value)}`);
    pairs[value.slice(0, equals)] = value.slice(equals + 1);
  }
  return pairs;
}

/** `--client ALIAS` / `--client-config PATH`. */
export interface ClientFlags {
  readonly client?: string;
  readonly clientConfig?: string;
}

/** Opens a controller session with the selected client config. */
export async function openSession(flags: ClientFlags): Promise<ControllerSession> {
  const [{ selectClientConfig }, { ControllerSession }] = await Promise.all([import("../distributed/client-store.js"), import("../distributed/client-api.js")]);
  return new ControllerSession(await selectClientConfig(flags));
}
