/**
 * @module
 * Exporter liveness (the reference's exporter reconciler): Online and Registered from lastSeen, reported
 * status and registration.
 */
import type { ExporterRecord, ExporterStatusName } from "../store/store.js";

/** After this long without a heartbeat an exporter counts as offline. */
export const LIVENESS_TIMEOUT_MS = 60_000;

/** Status message of an exporter whose heartbeats stopped. */
export const CONNECTION_LOST_MESSAGE = "Connection lost - last seen more than 1 minute ago";

/** The effective liveness of an exporter at a moment. */
export interface ExporterLiveness {
  /** The Online condition. */
  readonly online: boolean;
  /** The Registered condition (devices reported and not unregistered). */
  readonly registered: boolean;
  /** Reported status, or `Offline` when the heartbeats stopped. */
  readonly status: ExporterStatusName;
  readonly statusMessage: string;
  /** Why the exporter is offline ("Never seen", the connection-lost text, or its own message). */
  readonly reason?: string;
}

/**
 * Applies the liveness rules: never seen → not online; last seen more than a minute ago → not online and
 * status forced to `Offline` with {@link CONNECTION_LOST_MESSAGE}; reported `Offline` → not online.
 */
export function exporterLiveness(exporter: ExporterRecord, now: Date): ExporterLiveness {
  const registered = exporter.devices !== null;
  const base = { registered, status: exporter.status, statusMessage: exporter.statusMessage };
  if (exporter.lastSeen === null) return { ...base, online: false, reason: "Never seen" };
  if (now.getTime() - exporter.lastSeen.getTime() > LIVENESS_TIMEOUT_MS) {
    return { registered, online: false, status: "Offline", statusMessage: CONNECTION_LOST_MESSAGE, reason: CONNECTION_LOST_MESSAGE };
  }
  if (exporter.status === "Offline") return { ...base, online: false, reason: exporter.statusMessage || "Offline" };
  return { ...base, online: true };
}
