/**
 * @module
 * The per-lease queues between Dial and Listen (spec §3): each lease has at most one listener holding up to
 * 8 undelivered router assignments; a new Listen for the lease replaces the old one, which delivers what it
 * already holds and ends.
 */
import { Code, JumpstarterError } from "@jumpstarter/core";

/** Capacity of a listener's buffer. */
export const LISTEN_BUFFER = 8;

/** A router assignment sent to the exporter (`ListenResponse`). */
export interface RouterAssignment {
  readonly routerEndpoint: string;
  readonly routerToken: string;
}

/** One Listen call's queue. */
export class Listener {
  readonly #buffer: RouterAssignment[] = [];
  #wake: (() => void) | undefined;
  #closed = false;

  /** True once replaced or closed: no new assignments arrive. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Buffers `assignment`; false when full. */
  offer(assignment: RouterAssignment): boolean {
    if (this.#closed || this.#buffer.length >= LISTEN_BUFFER) return false;
    this.#buffer.push(assignment);
    this.#notify();
    return true;
  }

  /** Stops accepting; buffered assignments are still delivered. */
  close(): void {
    this.#closed = true;
    this.#notify();
  }

  /** Yields assignments until closed and drained, or until `signal` aborts. */
  async *assignments(signal: AbortSignal): AsyncGenerator<RouterAssignment> {
    const onAbort = () => this.#notify();
    signal.addEventListener("abort", onAbort);
    try {
      for (;;) {
        if (signal.aborted) return;
        const next = this.#buffer.shift();
        if (next) {
          yield next;
          continue;
        }
        if (this.#closed) return;
        await new Promise<void>((resolve) => (this.#wake = resolve));
      }
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

/** The listeners of every lease this controller process serves. */
export class ListenQueues {
  readonly #listeners = new Map<string, Listener>();

  /** Installs a listener for `lease`, replacing (closing) the previous one. */
  listen(lease: string): Listener {
    this.#listeners.get(lease)?.close();
    const listener = new Listener();
    this.#listeners.set(lease, listener);
    return listener;
  }

  /** Removes `listener` if it is still the current one for `lease`. */
  release(lease: string, listener: Listener): void {
    if (this.#listeners.get(lease) === listener) this.#listeners.delete(lease);
    listener.close();
  }

  /**
   * Hands `assignment` to the lease's listener. Throws UNAVAILABLE "exporter is not listening on lease <name>" or
   * RESOURCE_EXHAUSTED "listener buffer full on lease <name>".
   */
  push(lease: string, assignment: RouterAssignment): void {
    const listener = this.#listeners.get(lease);
    if (!listener || listener.closed) throw new JumpstarterError(`exporter is not listening on lease ${lease}`, Code.UNAVAILABLE);
    if (!listener.offer(assignment)) throw new JumpstarterError(`listener buffer full on lease ${lease}`, Code.RESOURCE_EXHAUSTED);
  }

  /** Number of leases with a listener. */
  get size(): number {
    return this.#listeners.size;
  }

  /** Closes every listener. */
  closeAll(): void {
    for (const listener of this.#listeners.values()) listener.close();
    this.#listeners.clear();
  }
}
