/**
 * @module
 * The one place errors become output: `Error: <message>` on stderr and an exit code (1 for failures, 2 for
 * usage errors and cancellation). Stack traces only with `--log-level debug`.
 */
import { CliError } from "../errors.js";

/** gRPC CANCELLED, as carried by core's errors. */
const CANCELLED = 1;

/** Exit code for `error`. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CliError) return error.exitCode;
  if (typeof error === "object" && error !== null && (error as { code?: unknown }).code === CANCELLED && error instanceof Error) return 2;
  return 1;
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.map(messageOf).join("; ");
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/** Prints `error` as one line (plus its stack when `debug`) and returns the exit code to use. */
export function printError(error: unknown, debug = false, write: (text: string) => void = (text) => process.stderr.write(text)): number {
  const message = messageOf(error).split("\n")[0]!.replace(/^Error: /, "");
  write(`Error: ${message}\n`);
  if (debug && error instanceof Error && error.stack) write(`${error.stack}\n`);
  return exitCodeOf(error);
}
