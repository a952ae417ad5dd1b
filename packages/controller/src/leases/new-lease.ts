/**
 * @module
 * Building a lease the way CreateLease does (time fields reconciled, object labels from the selector and the
 * tags), tag validation, and the release request that DeleteLease / ReleaseLease make.
 */
import { modifyLease } from "../store/modify.js";
import type { LeaseRecord, NewObject, Store } from "../store/store.js";
import { labelKeyError, labelValueError } from "./labels.js";
import type { LabelSelector } from "./selector.js";
import { reconcileLeaseTimes } from "./times.js";

/** Label prefix reserved for the controller. */
export const RESERVED_LABEL_PREFIX = "jumpstarter.dev/";
/** Prefix of the lease labels that carry tags (`metadata.jumpstarter.dev/<tag>`). */
export const TAG_LABEL_PREFIX = "metadata.jumpstarter.dev/";
/** Default `leasePolicy.maxTags`. */
export const DEFAULT_MAX_TAGS = 10;

/** What a client asks for when creating a lease. Durations in milliseconds. */
export interface LeaseRequest {
  readonly namespace: string;
  readonly name: string;
  readonly clientName: string;
  readonly selector: LabelSelector;
  readonly exporterName?: string;
  readonly durationMs?: number;
  readonly beginTime?: Date;
  readonly endTime?: Date;
  readonly tags?: Readonly<Record<string, string>>;
  readonly context?: Readonly<Record<string, string>>;
  readonly allowDisabled?: boolean;
}

/**
 * Checks lease tags: at most `maxTags`, keys without `/` that are valid label names, valid label values.
 * Returns the problem (the caller prefixes "invalid lease tags: "), or `undefined`.
 */
export function leaseTagsError(tags: Readonly<Record<string, string>>, maxTags = DEFAULT_MAX_TAGS): string | undefined {
  const entries = Object.entries(tags);
  if (entries.length > maxTags) return `too many tags: ${entries.length} (maximum ${maxTags})`;
  for (const [key, value] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (key.startsWith(RESERVED_LABEL_PREFIX) || key.startsWith(TAG_LABEL_PREFIX)) return `tag key "${key}" uses a reserved prefix`;
    if (key.includes("/")) return `tag key "${key}" must not contain "/"`;
    const keyError = labelKeyError(key);
    if (keyError) return keyError;
    const valueError = labelValueError(value);
    if (valueError) return valueError;
  }
  return undefined;
}

/** The lease object's labels: the selector's matchLabels (minus reserved keys) and one label per tag. */
export function leaseLabels(selector: LabelSelector, tags: Readonly<Record<string, string>>): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(selector.matchLabels)) {
    if (!key.startsWith(RESERVED_LABEL_PREFIX)) labels[key] = value;
  }
  for (const [key, value] of Object.entries(tags)) labels[`${TAG_LABEL_PREFIX}${key}`] = value;
  return labels;
}

/** A new lease record for `store.createLease`; throws `LeaseTimeError` for unusable time fields. */
export function newLeaseRecord(request: LeaseRequest): NewObject<LeaseRecord> {
  const times = reconcileLeaseTimes(request);
  const tags = { ...request.tags };
  return {
    namespace: request.namespace,
    name: request.name,
    labels: leaseLabels(request.selector, tags),
    spec: {
      clientName: request.clientName,
      selector: request.selector,
      ...(request.exporterName ? { exporterName: request.exporterName } : {}),
      ...times,
      tags,
      context: { ...request.context },
      allowDisabled: request.allowDisabled ?? false,
      release: false,
    },
    status: { ended: false, priority: 0, spotAccess: false, conditions: [] },
  };
}

/** Sets `spec.release` (idempotent); the scheduler then ends the lease with reason Released. */
export function requestLeaseRelease(store: Store, namespace: string, name: string): Promise<LeaseRecord> {
  return modifyLease(store, namespace, name, (lease) => (lease.spec.release ? undefined : { ...lease, spec: { ...lease.spec, release: true } }));
}
