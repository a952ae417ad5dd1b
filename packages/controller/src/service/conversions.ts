/**
 * @module
 * Store records ↔ wire messages: exporter status names and enum values, conditions, times, and the client.v1
 * Lease and Exporter resources (spec §4 "Lease CR → client.v1 Lease").
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Duration, Timestamp } from "@bufbuild/protobuf/wkt";
import type { ExporterSchema, LeaseSchema } from "@jumpstarter/protocol/gen/jumpstarter/client/v1/client_pb";
import { ExporterStatus } from "@jumpstarter/protocol/gen/jumpstarter/v1/common_pb";
import type { ConditionSchema } from "@jumpstarter/protocol/gen/jumpstarter/v1/kubernetes_pb";
import { formatSelector } from "../leases/selector.js";
import type { Condition, ExporterRecord, ExporterStatusName, LeaseRecord } from "../store/store.js";
import { objectName } from "./identifiers.js";

const statusNames: readonly [ExporterStatus, ExporterStatusName][] = [
  [ExporterStatus.UNSPECIFIED, "Unspecified"],
  [ExporterStatus.OFFLINE, "Offline"],
  [ExporterStatus.AVAILABLE, "Available"],
  [ExporterStatus.BEFORE_LEASE_HOOK, "BeforeLeaseHook"],
  [ExporterStatus.LEASE_READY, "LeaseReady"],
  [ExporterStatus.AFTER_LEASE_HOOK, "AfterLeaseHook"],
  [ExporterStatus.BEFORE_LEASE_HOOK_FAILED, "BeforeLeaseHookFailed"],
  [ExporterStatus.AFTER_LEASE_HOOK_FAILED, "AfterLeaseHookFailed"],
];

/** ReportStatus enum → stored status name (unknown values are "Unspecified"). */
export function statusNameOf(status: ExporterStatus): ExporterStatusName {
  return statusNames.find(([value]) => value === status)?.[1] ?? "Unspecified";
}

/** Stored status name → wire enum. */
export function statusEnumOf(name: string): ExporterStatus {
  return statusNames.find(([, value]) => value === name)?.[0] ?? ExporterStatus.UNSPECIFIED;
}

/** A stored condition as the wire `Condition` (all six fields set, as the reference does). */
export function conditionMessage(condition: Condition): MessageInitShape<typeof ConditionSchema> {
  const ms = condition.lastTransitionTime.getTime();
  const seconds = Math.floor(ms / 1000);
  return {
    type: condition.type,
    status: condition.status,
    observedGeneration: BigInt(condition.observedGeneration),
    lastTransitionTime: { seconds: BigInt(seconds), nanos: (ms - seconds * 1000) * 1_000_000 },
    reason: condition.reason,
    message: condition.message,
  };
}

/** A Date as a protobuf Timestamp. */
export function timestamp(date: Date): Timestamp {
  return timestampFromDate(date);
}

/** Milliseconds as a protobuf Duration. */
export function duration(ms: number): Duration {
  return durationFromMs(ms);
}

/** Options of the client.v1 mappings. */
export interface ResourceOptions {
  /** Label keys shown only with `show_hidden_labels` (config `hiddenLabels.keys`). */
  readonly hiddenLabels?: readonly string[];
  /** Deprecated label keys and their messages (config `deprecatedLabels.keys`). */
  readonly deprecatedLabels?: Readonly<Record<string, string>>;
}

/** A lease as `jumpstarter.client.v1.Lease`. */
export function leaseMessage(lease: LeaseRecord, options: ResourceOptions = {}, now = new Date()): MessageInitShape<typeof LeaseSchema> {
  const { spec, status } = lease;
  const message: MessageInitShape<typeof LeaseSchema> = {
    name: objectName(lease.namespace, "leases", lease.name),
    selector: formatSelector(spec.selector),
    client: objectName(lease.namespace, "clients", spec.clientName),
    conditions: status.conditions.map(conditionMessage),
    tags: { ...spec.tags },
    allowDisabled: spec.allowDisabled,
    context: { ...spec.context },
    deprecatedLabels: deprecatedSelectorLabels(lease, options.deprecatedLabels ?? {}),
    ...(spec.exporterName !== undefined ? { exporterName: spec.exporterName } : {}),
    ...(spec.durationMs !== undefined ? { duration: duration(spec.durationMs) } : {}),
    ...(spec.beginTime ? { beginTime: timestamp(spec.beginTime) } : {}),
    ...(spec.endTime ? { endTime: timestamp(spec.endTime) } : {}),
    ...(status.exporterName !== undefined ? { exporter: objectName(lease.namespace, "exporters", status.exporterName) } : {}),
  };
  if (status.beginTime) {
    message.effectiveBeginTime = timestamp(status.beginTime);
    const end = status.endTime ?? now;
    if (status.endTime) message.effectiveEndTime = timestamp(status.endTime);
    message.effectiveDuration = duration(Math.max(0, end.getTime() - status.beginTime.getTime()));
  }
  return message;
}

function deprecatedSelectorLabels(lease: LeaseRecord, deprecated: Readonly<Record<string, string>>): Record<string, string> {
  const result: Record<string, string> = {};
  const keys = [...Object.keys(lease.spec.selector.matchLabels), ...lease.spec.selector.matchExpressions.map((expression) => expression.key)];
  for (const key of keys) if (deprecated[key] !== undefined) result[key] = deprecated[key];
  return result;
}

/** What the liveness rules say about an exporter right now. */
export interface ExporterView {
  readonly online: boolean;
  readonly status: ExporterStatusName;
  readonly statusMessage: string;
}

/** An exporter as `jumpstarter.client.v1.Exporter`. */
export function exporterMessage(
  exporter: ExporterRecord,
  view: ExporterView,
  options: ResourceOptions & { readonly showHiddenLabels?: boolean } = {},
): MessageInitShape<typeof ExporterSchema> {
  const deprecated = options.deprecatedLabels ?? {};
  const hidden = new Set([...(options.hiddenLabels ?? []), ...Object.keys(deprecated)]);
  const labels: Record<string, string> = {};
  const deprecatedLabels: Record<string, string> = {};
  for (const [key, value] of Object.entries(exporter.labels)) {
    if (deprecated[key] !== undefined) deprecatedLabels[key] = deprecated[key];
    if (options.showHiddenLabels || !hidden.has(key)) labels[key] = value;
  }
  return {
    name: objectName(exporter.namespace, "exporters", exporter.name),
    labels,
    online: view.online,
    status: statusEnumOf(view.status),
    statusMessage: view.statusMessage,
    enabled: exporter.enabled,
    deprecatedLabels,
  };
}
