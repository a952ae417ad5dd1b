/**
 * @module
 * How `jmp admin get` shows clients, exporters and leases: Kubernetes-like objects for `-o json|yaml`, tables
 * otherwise.
 */
import type { ClientRecord, ExporterRecord, LeaseRecord } from "@jumpstarter/controller";
import { formatTable } from "../output/table.js";

const API_VERSION = "jumpstarter.dev/v1alpha1";

function metadata(record: ClientRecord | ExporterRecord | LeaseRecord): Record<string, unknown> {
  return { namespace: record.namespace, name: record.name, uid: record.uid, labels: { ...record.labels }, creationTimestamp: record.createdAt.toISOString() };
}

/** A client as a `Client` object. */
export function clientObject(client: ClientRecord, endpoint: string | undefined): Record<string, unknown> {
  return {
    apiVersion: API_VERSION,
    kind: "Client",
    metadata: metadata(client),
    spec: client.username !== undefined ? { username: client.username } : {},
    status: {
      credential: { name: `${client.name}-client` },
      ...(endpoint ? { endpoint } : {}),
      ...(client.tokenExpiresAt ? { tokenExpiresAt: client.tokenExpiresAt.toISOString() } : {}),
    },
  };
}

/** An exporter as an `Exporter` object. */
export function exporterObject(exporter: ExporterRecord, endpoint: string | undefined): Record<string, unknown> {
  return {
    apiVersion: API_VERSION,
    kind: "Exporter",
    metadata: metadata(exporter),
    spec: { enabled: exporter.enabled, ...(exporter.username !== undefined ? { username: exporter.username } : {}) },
    status: {
      credential: { name: `${exporter.name}-exporter` },
      ...(endpoint ? { endpoint } : {}),
      devices: exporter.devices ?? [],
      exporterStatus: exporter.status,
      statusMessage: exporter.statusMessage,
      ...(exporter.lastSeen ? { lastSeen: exporter.lastSeen.toISOString() } : {}),
      ...(exporter.leaseRef ? { leaseRef: { name: exporter.leaseRef } } : {}),
    },
  };
}

/** A lease as a `Lease` object. */
export function leaseObject(lease: LeaseRecord): Record<string, unknown> {
  const { spec, status } = lease;
  return {
    apiVersion: API_VERSION,
    kind: "Lease",
    metadata: metadata(lease),
    spec: {
      clientRef: { name: spec.clientName },
      selector: { matchLabels: { ...spec.selector.matchLabels }, matchExpressions: spec.selector.matchExpressions.map((e) => ({ ...e, values: [...e.values] })) },
      ...(spec.exporterName ? { exporterRef: { name: spec.exporterName } } : {}),
      ...(spec.durationMs !== undefined ? { duration: `${spec.durationMs / 1000}s` } : {}),
      ...(spec.beginTime ? { beginTime: spec.beginTime.toISOString() } : {}),
      ...(spec.endTime ? { endTime: spec.endTime.toISOString() } : {}),
      tags: { ...spec.tags },
      context: { ...spec.context },
      release: spec.release,
    },
    status: {
      ...(status.exporterName ? { exporterRef: { name: status.exporterName } } : {}),
      ...(status.beginTime ? { beginTime: status.beginTime.toISOString() } : {}),
      ...(status.endTime ? { endTime: status.endTime.toISOString() } : {}),
      ended: status.ended,
      conditions: status.conditions.map((c) => ({ ...c, lastTransitionTime: c.lastTransitionTime.toISOString() })),
    },
  };
}

function labelsText(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}=${value}`)
    .join(",");
}

function leaseState(lease: LeaseRecord): string {
  if (lease.status.ended) return "Ended";
  const ready = lease.status.conditions.find((c) => c.type === "Ready" && c.status === "True");
  return ready ? "Ready" : (lease.status.conditions.find((c) => c.status === "True")?.type ?? "Pending");
}

/** Table of clients. */
export function clientTable(clients: readonly ClientRecord[], endpoint: string | undefined): string {
  return formatTable(["NAME", "ENDPOINT", "TOKEN EXPIRES"], clients.map((c) => [c.name, endpoint ?? "", c.tokenExpiresAt?.toISOString() ?? ""]));
}

/** Table of exporters; with `devices` one row per device. */
export function exporterTable(exporters: readonly ExporterRecord[], devices: boolean): string {
  if (devices) {
    const rows = exporters.flatMap((e) => (e.devices ?? []).map((d) => [e.name, d.uuid, d.parentUuid ?? "", labelsText(d.labels)]));
    return formatTable(["NAME", "UUID", "PARENT", "LABELS"], rows);
  }
  return formatTable(["NAME", "STATUS", "LEASE", "LABELS"], exporters.map((e) => [e.name, e.status, e.leaseRef ?? "", labelsText(e.labels)]));
}

/** Table of leases. */
export function leaseTable(leases: readonly LeaseRecord[]): string {
  return formatTable(
    ["NAME", "CLIENT", "EXPORTER", "STATE"],
    leases.map((l) => [l.name, l.spec.clientName, l.status.exporterName ?? "", leaseState(l)]),
  );
}
