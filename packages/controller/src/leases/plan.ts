/**
 * @module
 * One scheduling pass as a pure function (spec §5 steps 1–9, plus a FIFO queue): given the exporters and the
 * not-ended leases of a namespace, decide which lease ends, waits or gets which exporter.
 */
import type { ExporterRecord, ExporterStatusName, LeaseRecord } from "../store/store.js";
import { LeaseReason } from "./conditions.js";
import type { LeaseReasonName } from "./conditions.js";
import { queueSuffix } from "./conditions.js";
import { exporterLiveness } from "./liveness.js";
import { isEmptySelector, matchesSelector } from "./selector.js";

/** What a pass decided for one lease. */
export type LeaseAction =
  | { readonly kind: "assign"; readonly lease: LeaseRecord; readonly exporter: string }
  | { readonly kind: "pending"; readonly lease: LeaseRecord; readonly reason: LeaseReasonName; readonly message: string; readonly position: number }
  | {
      readonly kind: "end";
      readonly lease: LeaseRecord;
      /** Condition set on ending: `Ready` False (released/expired), or `Unsatisfiable`/`Invalid` True. */
      readonly condition: "Ready" | "Unsatisfiable" | "Invalid";
      readonly reason: LeaseReasonName;
      readonly message: string;
    };

/** The decisions of a pass and when the next time-driven pass is due. */
export interface Plan {
  readonly actions: readonly LeaseAction[];
  /** Earliest future begin or expiry time seen. */
  readonly wakeAt?: Date;
}

/** Exporter statuses in which an exporter can take a new lease. */
const READY_STATUSES: ReadonlySet<ExporterStatusName> = new Set(["Available", "Unspecified"]);

/** When an active lease expires: `spec.endTime`, else `spec.beginTime + duration`, else `status.beginTime + duration`. */
export function leaseExpiry(lease: LeaseRecord): Date | undefined {
  const { spec, status } = lease;
  if (spec.endTime) return spec.endTime;
  if (spec.durationMs === undefined) return undefined;
  const begin = spec.beginTime ?? status.beginTime;
  return begin ? new Date(begin.getTime() + spec.durationMs) : undefined;
}

const end = (lease: LeaseRecord, condition: "Ready" | "Unsatisfiable" | "Invalid", reason: LeaseReasonName, message: string): LeaseAction => ({
  kind: "end",
  lease,
  condition,
  reason,
  message,
});

type Candidates = { readonly exporters: readonly ExporterRecord[] } | { readonly action: LeaseAction };

/** Steps 2–4: the exporters a waiting lease may use, or the reason it never can. */
function candidatesOf(lease: LeaseRecord, byName: ReadonlyMap<string, ExporterRecord>, all: readonly ExporterRecord[]): Candidates {
  const { spec } = lease;
  const pinned = spec.exporterName;
  if (isEmptySelector(spec.selector) && !pinned) {
    return { action: end(lease, "Invalid", LeaseReason.InvalidSelector, "The lease has neither a selector nor an exporter name") };
  }
  if (pinned) {
    const exporter = byName.get(pinned);
    if (!exporter) return { action: end(lease, "Unsatisfiable", LeaseReason.ExporterNotFound, `Exporter "${pinned}" not found`) };
    if (!isEmptySelector(spec.selector) && !matchesSelector(spec.selector, exporter.labels)) {
      return { action: end(lease, "Unsatisfiable", LeaseReason.SelectorMismatch, `Exporter "${pinned}" does not match the lease selector`) };
    }
    if (!exporter.enabled && !spec.allowDisabled) {
      return { action: end(lease, "Unsatisfiable", LeaseReason.ExporterDisabled, `Exporter "${pinned}" is disabled`) };
    }
    return { exporters: [exporter] };
  }
  const matching = all.filter((exporter) => matchesSelector(spec.selector, exporter.labels));
  if (matching.length === 0) {
    return { action: end(lease, "Unsatisfiable", LeaseReason.NoAccess, "No exporter matching the selector is accessible to the client") };
  }
  const usable = matching.filter((exporter) => exporter.enabled || spec.allowDisabled);
  if (usable.length === 0) {
    return { action: end(lease, "Unsatisfiable", LeaseReason.AllDisabled, "All exporters matching the selector are disabled") };
  }
  return { exporters: usable };
}

const PENDING_TEXT: Partial<Record<LeaseReasonName, string>> = {
  [LeaseReason.Offline]: "Waiting for a matching exporter to come online",
  [LeaseReason.NotAvailable]: "Waiting for a matching exporter",
  [LeaseReason.NotReady]: "Waiting for a matching exporter to become ready",
};

/**
 * Plans one pass. Waiting leases are served oldest first (the order of `leases`), so when an exporter frees up
 * the oldest waiting lease that can use it gets it. A waiting lease's position counts the older waiting leases
 * that compete for at least one of its exporters, plus itself.
 */
export function planPass(now: Date, exporters: readonly ExporterRecord[], leases: readonly LeaseRecord[]): Plan {
  const actions: LeaseAction[] = [];
  const byName = new Map(exporters.map((exporter) => [exporter.name, exporter]));
  const sorted = [...exporters].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const taken = new Set<string>();
  let wake: number | undefined;
  const wakeAt = (date: Date) => {
    if (date.getTime() > now.getTime() && (wake === undefined || date.getTime() < wake)) wake = date.getTime();
  };

  const active = leases.filter((lease) => !lease.status.ended);
  for (const lease of active) {
    const exporter = lease.status.exporterName;
    if (!exporter) continue;
    taken.add(exporter);
    if (lease.spec.release) {
      actions.push(end(lease, "Ready", LeaseReason.Released, "The lease was released"));
      continue;
    }
    const expiry = leaseExpiry(lease);
    if (expiry && expiry.getTime() <= now.getTime()) actions.push(end(lease, "Ready", LeaseReason.Expired, "The lease has expired"));
    else if (expiry) wakeAt(expiry);
  }

  const queued: ReadonlySet<string>[] = [];
  for (const lease of active) {
    if (lease.status.exporterName) continue;
    const { spec } = lease;
    if (spec.release) {
      actions.push(end(lease, "Ready", LeaseReason.Released, "The lease was released"));
      continue;
    }
    if (spec.endTime && spec.endTime.getTime() <= now.getTime()) {
      actions.push(end(lease, "Ready", LeaseReason.Expired, "The lease has expired"));
      continue;
    }
    if (spec.endTime) wakeAt(spec.endTime);
    if (spec.beginTime && spec.beginTime.getTime() > now.getTime()) {
      wakeAt(spec.beginTime);
      continue;
    }
    const found = candidatesOf(lease, byName, sorted);
    if ("action" in found) {
      actions.push(found.action);
      continue;
    }
    const names = new Set(found.exporters.map((exporter) => exporter.name));
    const position = 1 + queued.filter((set) => [...set].some((name) => names.has(name))).length;
    const pending = (reason: LeaseReasonName) => {
      actions.push({ kind: "pending", lease, reason, position, message: `${PENDING_TEXT[reason]} ${queueSuffix(position)}` });
      queued.push(names);
    };
    const online = found.exporters.filter((exporter) => {
      const liveness = exporterLiveness(exporter, now);
      return liveness.online && liveness.registered;
    });
    if (online.length === 0) {
      pending(LeaseReason.Offline);
      continue;
    }
    const free = online.filter((exporter) => !taken.has(exporter.name) && exporter.leaseRef === null);
    if (free.length === 0) {
      pending(LeaseReason.NotAvailable);
      continue;
    }
    const ready = free.find((exporter) => READY_STATUSES.has(exporter.status));
    if (!ready) {
      pending(LeaseReason.NotReady);
      continue;
    }
    taken.add(ready.name);
    actions.push({ kind: "assign", lease, exporter: ready.name });
  }
  return wake === undefined ? { actions } : { actions, wakeAt: new Date(wake) };
}
