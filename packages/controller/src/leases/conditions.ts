/**
 * @module
 * Lease condition types, reasons and messages (spec §5), and Kubernetes-style condition updates.
 */
import type { Condition } from "../store/store.js";

/** Condition types of a lease. */
export const LeaseConditionType = {
  Pending: "Pending",
  Ready: "Ready",
  Unsatisfiable: "Unsatisfiable",
  Invalid: "Invalid",
} as const;

/** Condition reasons of a lease, as the reference spells them. */
export const LeaseReason = {
  InvalidSelector: "InvalidSelector",
  ExporterNotFound: "ExporterNotFound",
  SelectorMismatch: "SelectorMismatch",
  ExporterDisabled: "ExporterDisabled",
  AllDisabled: "AllDisabled",
  NoAccess: "NoAccess",
  Offline: "Offline",
  NotAvailable: "NotAvailable",
  NotReady: "NotReady",
  Ready: "Ready",
  Released: "Released",
  Expired: "Expired",
} as const;

/** A lease condition reason. */
export type LeaseReasonName = (typeof LeaseReason)[keyof typeof LeaseReason];

/** Message of the Ready condition once an exporter is acquired (the reference's text). */
export const READY_MESSAGE = "An exporter has been acquired for the client";

/** Suffix of every waiting lease's Pending message; `N` is the 1-based position among competing leases. */
export function queueSuffix(position: number): string {
  return `(position ${position} in queue)`;
}

/** Reads the queue position back out of a Pending message, if it has one. */
export function queuePositionOf(message: string): number | undefined {
  const match = /\(position (\d+) in queue\)$/.exec(message);
  return match ? Number(match[1]) : undefined;
}

/** The condition of `type`, if present. */
export function findCondition(conditions: readonly Condition[], type: string): Condition | undefined {
  return conditions.find((condition) => condition.type === type);
}

/** Whether the condition of `type` has status "True". */
export function isConditionTrue(conditions: readonly Condition[], type: string): boolean {
  return findCondition(conditions, type)?.status === "True";
}

/** A condition update: the transition time moves only when the status changes (like `meta.SetStatusCondition`). */
export interface ConditionUpdate {
  readonly type: string;
  readonly status: "True" | "False";
  readonly reason: string;
  readonly message: string;
}

/** Returns `conditions` with `update` applied, or the same array when nothing changes. */
export function setCondition(conditions: readonly Condition[], update: ConditionUpdate, now: Date, generation = 1): readonly Condition[] {
  const existing = findCondition(conditions, update.type);
  if (existing && existing.status === update.status && existing.reason === update.reason && existing.message === update.message) {
    return conditions;
  }
  const next: Condition = {
    ...update,
    observedGeneration: generation,
    lastTransitionTime: existing && existing.status === update.status ? existing.lastTransitionTime : now,
  };
  return existing ? conditions.map((condition) => (condition === existing ? next : condition)) : [...conditions, next];
}
