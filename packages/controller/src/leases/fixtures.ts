/**
 * @module
 * Record builders for lease tests (not part of the package surface).
 * @internal
 */
import type { ExporterRecord, LeaseRecord } from "../store/store.js";
import { newLeaseRecord } from "./new-lease.js";
import type { LeaseRequest } from "./new-lease.js";
import { parseSelector } from "./selector.js";

/** The namespace used by lease tests. */
export const TEST_NS = "lab";

/** An online, registered, Available exporter (as of `now`). */
export function exporterRecord(name: string, labels: Record<string, string>, now: Date, overrides: Partial<ExporterRecord> = {}): ExporterRecord {
  return {
    namespace: TEST_NS,
    name,
    uid: `uid-${name}`,
    labels,
    createdAt: new Date(0),
    version: 1,
    enabled: true,
    devices: [],
    status: "Available",
    statusMessage: "",
    lastSeen: now,
    leaseRef: null,
    ...overrides,
  };
}

let seq = 0;

/** A stored-looking lease for `selector` (string syntax), one hour long unless overridden. */
export function leaseRecord(name: string, selector: string, overrides: Partial<LeaseRequest> = {}): LeaseRecord {
  const created = newLeaseRecord({
    namespace: TEST_NS,
    name,
    clientName: "alice",
    selector: parseSelector(selector),
    ...(overrides.beginTime && overrides.endTime ? {} : { durationMs: 3_600_000 }),
    ...overrides,
  });
  return { ...created, uid: `uid-${name}`, createdAt: new Date(seq++), version: 1 };
}
