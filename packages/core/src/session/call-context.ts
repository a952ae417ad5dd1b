/**
 * @module
 * Per-call context for driver code: the abort signal of the call being served.
 */
import { AsyncLocalStorage } from "node:async_hooks";

const storage = new AsyncLocalStorage<AbortSignal>();
const never = new AbortController().signal;

/** Runs `fn` with `signal` as the current call signal. */
export function runWithCallSignal<T>(signal: AbortSignal, fn: () => T): T {
  return storage.run(signal, fn);
}

/**
 * The signal of the driver call currently being served: it aborts when the caller cancels or disconnects.
 * Outside a call it never aborts.
 */
export function callSignal(): AbortSignal {
  return storage.getStore() ?? never;
}
