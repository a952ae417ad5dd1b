/**
 * @module
 * JSON encoding of store records: dates become ISO strings, `version` and `leaseRef` live outside the JSON.
 */
import type { ClientRecord, Condition, ExporterRecord, LeaseRecord } from "./store.js";

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const iso = (date: Date | undefined | null): string | undefined => (date ? date.toISOString() : undefined);
const date = (text: unknown): Date | undefined => (typeof text === "string" ? new Date(text) : undefined);

function strip<T extends object>(value: T): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}

/** Encodes a client record (without version). */
export function encodeClient(client: ClientRecord): string {
  const { version: _version, ...rest } = client;
  return JSON.stringify(strip({ ...rest, createdAt: iso(rest.createdAt), tokenExpiresAt: iso(rest.tokenExpiresAt) }));
}

/** Decodes a client record. */
export function decodeClient(data: string, version: number): ClientRecord {
  const raw = JSON.parse(data) as Record<string, unknown>;
  const tokenExpiresAt = date(raw["tokenExpiresAt"]);
  const { tokenExpiresAt: _t, ...rest } = raw;
  return {
    ...(rest as unknown as ClientRecord),
    createdAt: date(raw["createdAt"]) ?? new Date(0),
    ...(tokenExpiresAt ? { tokenExpiresAt } : {}),
    version,
  };
}

/** Encodes an exporter record (without version and leaseRef). */
export function encodeExporter(exporter: ExporterRecord): string {
  const { version: _version, leaseRef: _leaseRef, ...rest } = exporter;
  return JSON.stringify(
    strip({
      ...rest,
      createdAt: iso(rest.createdAt),
      tokenExpiresAt: iso(rest.tokenExpiresAt),
      lastSeen: rest.lastSeen ? rest.lastSeen.toISOString() : null,
    }),
  );
}

/** Decodes an exporter record. */
export function decodeExporter(data: string, version: number, leaseRef: string | null): ExporterRecord {
  const raw = JSON.parse(data) as Record<string, unknown>;
  const tokenExpiresAt = date(raw["tokenExpiresAt"]);
  const { tokenExpiresAt: _t, ...rest } = raw;
  return {
    ...(rest as unknown as ExporterRecord),
    createdAt: date(raw["createdAt"]) ?? new Date(0),
    ...(tokenExpiresAt ? { tokenExpiresAt } : {}),
    lastSeen: date(raw["lastSeen"]) ?? null,
    devices: (raw["devices"] as ExporterRecord["devices"] | undefined) ?? null,
    version,
    leaseRef,
  };
}

function encodeConditions(conditions: readonly Condition[]): Json {
  return conditions.map((c) => ({ ...c, lastTransitionTime: c.lastTransitionTime.toISOString() }));
}

function decodeConditions(raw: unknown): Condition[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((c: Record<string, unknown>) => ({
    ...(c as unknown as Condition),
    lastTransitionTime: date(c["lastTransitionTime"]) ?? new Date(0),
  }));
}

/** Encodes a lease record (without version). */
export function encodeLease(lease: LeaseRecord): string {
  const { version: _version, ...rest } = lease;
  return JSON.stringify(
    strip({
      ...rest,
      createdAt: iso(rest.createdAt),
      spec: { ...rest.spec, beginTime: iso(rest.spec.beginTime), endTime: iso(rest.spec.endTime) },
      status: {
        ...rest.status,
        beginTime: iso(rest.status.beginTime),
        endTime: iso(rest.status.endTime),
        conditions: encodeConditions(rest.status.conditions),
      },
    }),
  );
}

function withDates<T extends object>(raw: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...raw };
  for (const key of ["beginTime", "endTime"]) {
    const value = date(raw[key]);
    if (value) out[key] = value;
    else delete out[key];
  }
  return out as T;
}

/** Decodes a lease record. */
export function decodeLease(data: string, version: number): LeaseRecord {
  const raw = JSON.parse(data) as Record<string, unknown>;
  const spec = withDates<LeaseRecord["spec"]>(raw["spec"] as Record<string, unknown>);
  const rawStatus = raw["status"] as Record<string, unknown>;
  const status = withDates<LeaseRecord["status"]>({ ...rawStatus, conditions: decodeConditions(rawStatus["conditions"]) });
  return { ...(raw as unknown as LeaseRecord), createdAt: date(raw["createdAt"]) ?? new Date(0), spec, status, version };
}
