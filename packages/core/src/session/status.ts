/**
 * @module
 * The exporter status state machine reported by GetStatus (and, in distributed mode, ReportStatus).
 */
import { ExporterStatus } from "@jumpstarter/protocol/gen/jumpstarter/v1/common_pb";

export { ExporterStatus };

/** A snapshot of the status as GetStatus reports it. */
export interface StatusSnapshot {
  readonly status: ExporterStatus;
  readonly message: string;
  /** Increments on every change. */
  readonly version: number;
  /** Set after the first change. */
  readonly previous?: ExporterStatus;
}

/** Statuses in which driver calls are served. */
const callable: ReadonlySet<ExporterStatus> = new Set([
  ExporterStatus.LEASE_READY,
  ExporterStatus.BEFORE_LEASE_HOOK,
  ExporterStatus.AFTER_LEASE_HOOK,
]);

/** Holds the current status and notifies listeners of changes. */
export class StatusMachine {
  #snapshot: StatusSnapshot;
  readonly #listeners = new Set<(snapshot: StatusSnapshot) => void>();

  constructor(initial: ExporterStatus = ExporterStatus.AVAILABLE, message = "") {
    this.#snapshot = { status: initial, message, version: 0 };
  }

  get current(): StatusSnapshot {
    return this.#snapshot;
  }

  /** Whether driver calls are accepted in the current status. */
  get acceptsDriverCalls(): boolean {
    return callable.has(this.#snapshot.status);
  }

  /** Moves to `status`, bumping the version. */
  set(status: ExporterStatus, message = ""): StatusSnapshot {
    this.#snapshot = { status, message, version: this.#snapshot.version + 1, previous: this.#snapshot.status };
    for (const listener of this.#listeners) listener(this.#snapshot);
    return this.#snapshot;
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  subscribe(listener: (snapshot: StatusSnapshot) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** Enum value name as the reference prints it, e.g. `EXPORTER_STATUS_LEASE_READY`. */
export function statusName(status: ExporterStatus): string {
  return `EXPORTER_STATUS_${ExporterStatus[status] ?? "UNSPECIFIED"}`;
}
