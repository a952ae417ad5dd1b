/**
 * @module
 * Fan-out of log records to LogStream subscribers. Records are only built while someone listens.
 */
import { LogSource } from "@jumpstarter/protocol/gen/jumpstarter/v1/common_pb";
import type { Severity } from "../driver/logger.js";

export { LogSource };

/** One record as LogStream sends it. */
export interface LogRecord {
  readonly severity: Severity;
  readonly message: string;
  readonly source: LogSource;
  readonly driverType?: string;
  readonly operation?: string;
  readonly timestamp: Date;
  readonly fields: Readonly<Record<string, string>>;
}

/** Publishes log records to the current subscribers. */
export class LogBus {
  readonly #subscribers = new Set<(record: LogRecord) => void>();

  /** Whether anyone listens (callers skip building records otherwise). */
  get active(): boolean {
    return this.#subscribers.size > 0;
  }

  /** Hands `record` to every subscriber; a failing subscriber never fails the driver that logged. */
  publish(record: LogRecord): void {
    for (const subscriber of this.#subscribers) {
      try {
        subscriber(record);
      } catch {
        // A broken sink (e.g. a LogStream whose caller vanished) only loses this record.
      }
    }
  }

  subscribe(subscriber: (record: LogRecord) => void): () => void {
    this.#subscribers.add(subscriber);
    return () => this.#subscribers.delete(subscriber);
  }
}
