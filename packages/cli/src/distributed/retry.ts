/**
 * @module
 * Retry helpers shared by the exporter and client sides: abortable sleeps, exponential backoff, and which
 * gRPC failures mean "the peer is away, try again".
 */
import { Code } from "@jumpstarter/core";

/** Sleeps `ms`, resolving early (without throwing) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** The gRPC code of `error`, if it carries one. */
export function codeOf(error: unknown): Code | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "number" ? (code as Code) : undefined;
}

/** The message of `error`. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Connection-level failures: the controller or router is down, restarting or unreachable. */
export function isTransient(error: unknown): boolean {
  const code = codeOf(error);
  return code === Code.UNAVAILABLE || code === Code.DEADLINE_EXCEEDED || code === Code.CANCELLED || code === Code.INTERNAL;
}

/** Delay before attempt `attempt` (0-based): `baseMs · 2^attempt`, at most `maxMs`. */
export function backoff(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
}
