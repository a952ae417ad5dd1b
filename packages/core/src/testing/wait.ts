/**
 * @module
 * Waiting helpers for tests. The timeouts only turn a hang into a failure; no test depends on them.
 */
import { setTimeout as sleep } from "node:timers/promises";

/** Generous bound for anything a test waits on. */
export const HANG_GUARD_MS = 60_000;

/** Resolves with `promise`, or fails naming `what` if it has not settled after `ms`. */
export async function within<T>(promise: Promise<T>, what: string, ms = HANG_GUARD_MS): Promise<T> {
  const guard = new AbortController();
  try {
    return await Promise.race([
      promise,
      sleep(ms, undefined, { signal: guard.signal }).then(() => {
        throw new Error(`timed out waiting for ${what}`);
      }),
    ]);
  } finally {
    guard.abort();
  }
}

/** Polls `check` until it returns true. */
export async function eventually(check: () => boolean, what: string, ms = HANG_GUARD_MS): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Polls `read` until it returns the same value `polls` times in a row, and returns that value. */
export async function settled<T>(read: () => T, what: string, polls = 5, intervalMs = 100): Promise<T> {
  const started = Date.now();
  let last = read();
  let same = 0;
  while (same < polls) {
    if (Date.now() - started > HANG_GUARD_MS) throw new Error(`${what} never settled (last: ${String(last)})`);
    await sleep(intervalMs);
    const next = read();
    same = next === last ? same + 1 : 0;
    last = next;
  }
  return last;
}

/** A promise with its resolve function, for drivers that report what happened to them. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void; settled: () => boolean } {
  let resolve!: (value: T) => void;
  let done = false;
  const promise = new Promise<T>((r) => (resolve = r));
  return {
    promise,
    resolve: (value: T) => {
      done = true;
      resolve(value);
    },
    settled: () => done,
  };
}
