/**
 * @module
 * Naming the driver whose `close()` failed: each driver built from a config entry gets its errors wrapped
 * once with the entry's key path.
 */
import type { Driver } from "@jumpstarter/core";

/** A driver's `close()` failed; the message names its config entry. */
export class DriverCloseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DriverCloseError";
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function alreadyNamed(error: unknown): boolean {
  if (error instanceof DriverCloseError) return true;
  return error instanceof AggregateError && error.errors.length > 0 && error.errors.every(alreadyNamed);
}

/** Wraps `driver.close` so failures say which entry (`export.power`) and class failed. */
export function nameCloseErrors(driver: Driver, entry: string, className: string): void {
  const close = driver.close.bind(driver);
  driver.close = async () => {
    try {
      await close();
    } catch (error) {
      if (alreadyNamed(error)) throw error;
      throw new DriverCloseError(`${entry} (${className}) failed to close: ${messageOf(error)}`, { cause: error });
    }
  };
}

/** One line for a close failure: every named failure, `; `-separated. */
export function describeCloseFailure(error: unknown): string {
  const flatten = (item: unknown): string[] => (item instanceof AggregateError ? item.errors.flatMap(flatten) : [messageOf(item)]);
  return flatten(error).join("; ");
}
