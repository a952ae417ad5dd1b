/**
 * @module
 * The "Operation started/completed/failed" records every driver call emits on the DRIVER log source
 * (spec driver-calls §3), with `operation`, `driver_type` and the structured fields `result` and `error_type`.
 */
import type { Driver } from "../driver/driver.js";
import { Code, toStatus } from "../errors.js";
import type { LogBus } from "./log-bus.js";
import { LogSource } from "./log-bus.js";

/** Phase of a driver call being logged. */
export type OperationPhase = "started" | "completed" | "failed";

/** `error_type` as the reference names the failure classes. */
export function errorType(error: unknown): string {
  switch (toStatus(error).code) {
    case Code.UNIMPLEMENTED:
      return "not_implemented";
    case Code.INVALID_ARGUMENT:
      return "validation_error";
    case Code.DEADLINE_EXCEEDED:
      return "timeout";
    case Code.UNAVAILABLE:
      return "connection_error";
    case Code.INTERNAL:
      return "device_error";
    default:
      return "internal_error";
  }
}

/** Publishes one operation record for `driver` (nothing is built while no LogStream listens). */
export function logOperation(logs: LogBus, driver: Driver, operation: string, phase: OperationPhase, error?: unknown): void {
  if (!logs.active) return;
  const fields: Record<string, string> = {};
  if (phase === "completed") fields["result"] = "success";
  if (phase === "failed") {
    fields["result"] = "failure";
    fields["error_type"] = errorType(error);
  }
  logs.publish({
    severity: phase === "failed" ? "ERROR" : "DEBUG",
    message: `Operation ${phase}`,
    source: LogSource.DRIVER,
    driverType: driver.constructor.name,
    operation,
    timestamp: new Date(),
    fields,
  });
}
