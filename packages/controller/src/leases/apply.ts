/**
 * @module
 * Turns a planned {@link LeaseAction} into the lease record to write (or nothing, when it changes nothing).
 */
import type { LeaseRecord } from "../store/store.js";
import { LeaseConditionType, LeaseReason, READY_MESSAGE, setCondition } from "./conditions.js";
import type { LeaseAction } from "./plan.js";

/** Label put on ended leases (ListLeases filters active ones with `!jumpstarter.dev/lease-ended`). */
export const LEASE_ENDED_LABEL = "jumpstarter.dev/lease-ended";

/** The updated lease for `action`, or `undefined` when the stored lease already says the same. */
export function applyAction(action: LeaseAction, now: Date): LeaseRecord | undefined {
  const { lease } = action;
  const { status } = lease;
  switch (action.kind) {
    case "assign":
      return {
        ...lease,
        status: {
          ...status,
          exporterName: action.exporter,
          beginTime: now,
          priority: 0,
          spotAccess: false,
          conditions: setCondition(
            status.conditions,
            { type: LeaseConditionType.Ready, status: "True", reason: LeaseReason.Ready, message: READY_MESSAGE },
            now,
          ),
        },
      };
    case "pending": {
      const conditions = setCondition(
        status.conditions,
        { type: LeaseConditionType.Pending, status: "True", reason: action.reason, message: action.message },
        now,
      );
      return conditions === status.conditions ? undefined : { ...lease, status: { ...status, conditions } };
    }
    case "end": {
      const conditions = setCondition(
        status.conditions,
        { type: action.condition, status: action.condition === "Ready" ? "False" : "True", reason: action.reason, message: action.message },
        now,
      );
      return {
        ...lease,
        labels: { ...lease.labels, [LEASE_ENDED_LABEL]: "true" },
        status: { ...status, ended: true, endTime: now, conditions },
      };
    }
  }
}
