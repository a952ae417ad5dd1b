/**
 * @module
 * client.v1 Lease and Exporter messages as the CLI shows them: the JSON shapes of spec cli §2 (bare client and
 * exporter names, durations in float seconds, conditions in proto JSON) and the borderless tables.
 */
import { toJson } from "@bufbuild/protobuf";
import { durationMs, timestampDate } from "@bufbuild/protobuf/wkt";
import type { Exporter, Lease } from "@jumpstarter/protocol/gen/jumpstarter/client/v1/client_pb";
import type { Condition } from "@jumpstarter/protocol/gen/jumpstarter/v1/kubernetes_pb";
import { ConditionSchema } from "@jumpstarter/protocol/gen/jumpstarter/v1/kubernetes_pb";
import { ExporterStatus } from "@jumpstarter/core";
import { formatTable } from "../output/table.js";
import { formatLocalTime, formatSpan } from "./durations.js";

/** Splits `namespaces/<ns>/<kind>/<name>`; throws when it has another shape. */
export function parseResourceName(name: string, kind: "clients" | "exporters" | "leases"): { namespace: string; name: string } {
  const parts = name.split("/");
  if (parts.length !== 4 || parts[0] !== "namespaces" || parts[2] !== kind) {
    throw new Error(`malformed ${kind.slice(0, -1)} name ${JSON.stringify(name)} from the controller`);
  }
  return { namespace: parts[1]!, name: parts[3]! };
}

/** A lease with bare names and plain times. */
export interface LeaseView {
  readonly namespace: string;
  readonly name: string;
  readonly selector: string;
  readonly exporterName: string | null;
  readonly tags: Readonly<Record<string, string>>;
  readonly context: Readonly<Record<string, string>>;
  readonly durationMs: number | null;
  readonly effectiveDurationMs: number | null;
  readonly beginTime: Date | null;
  readonly endTime: Date | null;
  readonly client: string;
  readonly exporter: string;
  readonly conditions: readonly Condition[];
  readonly effectiveBeginTime: Date | null;
  readonly effectiveEndTime: Date | null;
  readonly deprecatedLabels: Readonly<Record<string, string>>;
}

/** Converts a client.v1 Lease. */
export function leaseView(lease: Lease): LeaseView {
  const id = parseResourceName(lease.name, "leases");
  const time = (value: Lease["beginTime"]) => (value ? timestampDate(value) : null);
  return {
    ...id,
    selector: lease.selector,
    exporterName: lease.exporterName || null,
    tags: { ...lease.tags },
    context: { ...lease.context },
    durationMs: lease.duration ? durationMs(lease.duration) : null,
    effectiveDurationMs: lease.effectiveDuration ? durationMs(lease.effectiveDuration) : null,
    beginTime: time(lease.beginTime),
    endTime: time(lease.endTime),
    client: lease.client ? parseResourceName(lease.client, "clients").name : "",
    exporter: lease.exporter ? parseResourceName(lease.exporter, "exporters").name : "",
    conditions: lease.conditions,
    effectiveBeginTime: time(lease.effectiveBeginTime),
    effectiveEndTime: time(lease.effectiveEndTime),
    deprecatedLabels: { ...lease.deprecatedLabels },
  };
}

/** The condition of `type`, if present. */
export function condition(view: LeaseView, type: string): Condition | undefined {
  return view.conditions.find((item) => item.type === type);
}

/** When the lease ends (or ended): effective end, else effective begin + duration, else the requested end. */
export function leaseExpiry(view: LeaseView): Date | null {
  if (view.effectiveEndTime) return view.effectiveEndTime;
  if (view.effectiveBeginTime && view.durationMs !== null) return new Date(view.effectiveBeginTime.getTime() + view.durationMs);
  return view.endTime;
}

/** A one-word state: In-Use, Waiting, Ended, or the deciding condition's reason. */
export function leaseState(view: LeaseView): string {
  if (view.effectiveEndTime) return "Ended";
  if (condition(view, "Ready")?.status === "True") return "In-Use";
  for (const type of ["Unsatisfiable", "Invalid"]) {
    const found = condition(view, type);
    if (found?.status === "True") return found.reason || type;
  }
  if (condition(view, "Pending")?.status === "True") return "Waiting";
  return view.conditions.at(-1)?.reason || "Unknown";
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);
const seconds = (ms: number | null) => (ms === null ? null : ms / 1000);

/** The JSON shape of a lease (spec cli §2). */
export function leaseJson(view: LeaseView): Record<string, unknown> {
  return {
    namespace: view.namespace,
    name: view.name,
    selector: view.selector,
    exporter_name: view.exporterName,
    tags: view.tags,
    context: view.context,
    duration: seconds(view.durationMs),
    effective_duration: seconds(view.effectiveDurationMs),
    begin_time: iso(view.beginTime),
    client: view.client,
    exporter: view.exporter,
    conditions: view.conditions.map((item) => toJson(ConditionSchema, item)),
    effective_begin_time: iso(view.effectiveBeginTime),
    effective_end_time: iso(view.effectiveEndTime),
    deprecated_labels: view.deprecatedLabels,
  };
}

const joinPairs = (map: Readonly<Record<string, string>>) =>
  Object.entries(map)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join(",");

/** The lease table: NAME, SELECTOR, EXPIRES AT, REMAINING, CLIENT, EXPORTER, TAGS. */
export function leaseTable(views: readonly LeaseView[], now = new Date()): string {
  const rows = views.map((view) => {
    const expiry = leaseExpiry(view);
    const remaining = expiry && !view.effectiveEndTime && view.effectiveBeginTime ? formatSpan(expiry.getTime() - now.getTime()) : "";
    return [view.name, view.selector, expiry ? formatLocalTime(expiry) : "", remaining, view.client, view.exporter, joinPairs(view.tags)];
  });
  return formatTable(["NAME", "SELECTOR", "EXPIRES AT", "REMAINING", "CLIENT", "EXPORTER", "TAGS"], rows);
}

/** Which optional exporter columns to show (`--with`). */
export interface ExporterColumns {
  readonly online: boolean;
  readonly status: boolean;
  readonly leases: boolean;
  readonly enabled: boolean;
}

/** An exporter with the lease holding it (when `--with leases`). */
export interface ExporterView {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly online: boolean;
  readonly status: ExporterStatus;
  readonly statusMessage: string;
  readonly enabled: boolean;
  readonly deprecatedLabels: Readonly<Record<string, string>>;
  lease?: LeaseView;
}

/** Converts a client.v1 Exporter. */
export function exporterView(exporter: Exporter): ExporterView {
  return {
    ...parseResourceName(exporter.name, "exporters"),
    labels: { ...exporter.labels },
    online: exporter.online,
    status: exporter.status,
    statusMessage: exporter.statusMessage,
    enabled: exporter.enabled ?? true,
    deprecatedLabels: { ...exporter.deprecatedLabels },
  };
}

/** CRD-style status name: `LeaseReady`, `BeforeLeaseHookFailed`. */
export function statusText(status: ExporterStatus): string {
  const name = ExporterStatus[status] ?? "UNSPECIFIED";
  return name
    .toLowerCase()
    .split("_")
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join("");
}

/** The JSON shape of an exporter list (spec cli §2). */
export function exporterListJson(views: readonly ExporterView[], columns: ExporterColumns): Record<string, unknown> {
  return {
    exporters: views.map((view) => ({
      namespace: view.namespace,
      name: view.name,
      labels: view.labels,
      ...(columns.online ? { online: view.online } : {}),
      ...(columns.status ? { status: view.status } : {}),
      ...(columns.enabled ? { enabled: view.enabled } : {}),
      ...(columns.leases ? { lease: view.lease ? leaseJson(view.lease) : null } : {}),
      deprecated_labels: view.deprecatedLabels,
    })),
  };
}

/** The exporter table: NAME, [ENABLED], [ONLINE], [STATUS], LABELS, [LEASED BY, LEASE STATUS, RELEASE TIME]. */
export function exporterTable(views: readonly ExporterView[], columns: ExporterColumns): string {
  const headers = [
    "NAME",
    ...(columns.enabled ? ["ENABLED"] : []),
    ...(columns.online ? ["ONLINE"] : []),
    ...(columns.status ? ["STATUS"] : []),
    "LABELS",
    ...(columns.leases ? ["LEASED BY", "LEASE STATUS", "RELEASE TIME"] : []),
  ];
  const rows = views.map((view) => {
    const expiry = view.lease ? leaseExpiry(view.lease) : null;
    return [
      view.name,
      ...(columns.enabled ? [view.enabled ? "yes" : "no"] : []),
      ...(columns.online ? [view.online ? "yes" : "no"] : []),
      ...(columns.status ? [statusText(view.status)] : []),
      joinPairs(view.labels),
      ...(columns.leases ? (view.lease ? [view.lease.client, leaseState(view.lease), expiry ? formatLocalTime(expiry) : ""] : ["", "Available", ""]) : []),
    ];
  });
  return formatTable(headers, rows);
}

/** `k=v` pairs sorted by key, comma-joined (`JMP_EXPORTER_LABELS`, the LABELS column). */
export { joinPairs as formatLabels };
