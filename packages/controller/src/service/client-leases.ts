/**
 * @module
 * ClientService CreateLease, UpdateLease and DeleteLease with the reference's validation and texts.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import { durationMs, timestampDate } from "@bufbuild/protobuf/wkt";
import type { ServerUnaryCall } from "@grpc/grpc-js";
import { Code, JumpstarterError } from "@jumpstarter/core";
import type { CreateLeaseRequest, DeleteLeaseRequest, LeaseSchema, UpdateLeaseRequest } from "@jumpstarter/protocol/gen/jumpstarter/client/v1/client_pb";
import { DEFAULT_MAX_TAGS, leaseTagsError, newLeaseRecord, requestLeaseRelease } from "../leases/new-lease.js";
import { emptySelector, parseSelector } from "../leases/selector.js";
import { reconcileLeaseTimes } from "../leases/times.js";
import { AlreadyExistsError } from "../store/errors.js";
import { modifyLease } from "../store/modify.js";
import type { LeaseRecord, LeaseSpec } from "../store/store.js";
import type { ServiceContext } from "./context.js";
import { nowOf } from "./context.js";
import { clientOf } from "./client-auth.js";
import { leaseMessage } from "./conversions.js";
import { notFound, parseNamespaceName, parseObjectName } from "./identifiers.js";
import { uuidv7 } from "./uuid7.js";

type LeaseInit = MessageInitShape<typeof LeaseSchema>;

const MAX_CONTEXT_ENTRIES = 8;

function invalid(message: string): JumpstarterError {
  return new JumpstarterError(message, Code.INVALID_ARGUMENT);
}

function contextError(name: string, context: Readonly<Record<string, string>>): JumpstarterError | undefined {
  const entries = Object.entries(context);
  const prefix = `Lease.jumpstarter.dev "${name}" is invalid: spec.context`;
  if (entries.length > MAX_CONTEXT_ENTRIES) return new JumpstarterError(`${prefix}: Too many: ${entries.length}: must have at most ${MAX_CONTEXT_ENTRIES} items`);
  for (const [key, value] of entries) {
    if (key.length > 32) return new JumpstarterError(`${prefix}: Invalid value: "${key}": key may not be longer than 32 characters`);
    if (value.length > 64) return new JumpstarterError(`${prefix}[${key}]: Too long: may not be more than 64 bytes`);
  }
  return undefined;
}

/** CreateLease. */
export async function createLease(context: ServiceContext, request: CreateLeaseRequest, call: ServerUnaryCall<unknown, unknown>): Promise<LeaseInit> {
  const lease = request.lease;
  if (!lease) throw invalid("lease is required");
  const hasExporterName = lease.exporterName !== undefined && lease.exporterName !== "";
  if (lease.selector === "" && !hasExporterName) throw invalid("one of selector or exporter_name is required");
  const tagProblem = leaseTagsError(lease.tags, context.maxTags ?? DEFAULT_MAX_TAGS);
  if (tagProblem) throw invalid(`invalid lease tags: ${tagProblem}`);
  const namespace = parseNamespaceName(request.parent);
  const caller = await clientOf(context, call, namespace);
  const name = request.leaseId !== "" ? request.leaseId : uuidv7();
  const selector = lease.selector === "" ? emptySelector : parseSelector(lease.selector);
  const contextProblem = contextError(name, lease.context);
  if (contextProblem) throw contextProblem;
  const record = newLeaseRecord({
    namespace,
    name,
    clientName: caller.record.name,
    selector,
    ...(hasExporterName ? { exporterName: lease.exporterName! } : {}),
    ...(lease.duration ? { durationMs: durationMs(lease.duration) } : {}),
    ...(lease.beginTime ? { beginTime: timestampDate(lease.beginTime) } : {}),
    ...(lease.endTime ? { endTime: timestampDate(lease.endTime) } : {}),
    tags: lease.tags,
    context: lease.context,
    allowDisabled: lease.allowDisabled,
  });
  let created: LeaseRecord;
  try {
    created = await context.store.createLease(record);
  } catch (error) {
    if (error instanceof AlreadyExistsError) throw new JumpstarterError(`leases.jumpstarter.dev "${name}" already exists`, Code.UNKNOWN, { cause: error });
    throw error;
  }
  context.logger.info(`client ${caller.record.name} created lease ${name} (${lease.selector || `exporter ${lease.exporterName}`})`);
  return leaseMessage(created, context.resources, nowOf(context));
}

function sameTime(a: Date | undefined, b: Date | undefined): boolean {
  return a !== undefined && b !== undefined && a.getTime() === b.getTime();
}

/** Where UpdateLease's `client` field would move the lease. */
async function transferTarget(
  context: ServiceContext,
  namespace: string,
  client: string | undefined,
): Promise<{ readonly name: string; readonly otherNamespace: boolean; readonly exists: boolean } | undefined> {
  if (client === undefined || client === "") return undefined;
  const key = parseObjectName(client, "clients");
  if (key.namespace !== namespace) return { name: key.name, otherNamespace: true, exists: false };
  return { name: key.name, otherNamespace: false, exists: (await context.store.getClient(namespace, key.name)) !== undefined };
}

/** UpdateLease: time fields by presence, and transfer to another client of the namespace. */
export async function updateLease(context: ServiceContext, request: UpdateLeaseRequest, call: ServerUnaryCall<unknown, unknown>): Promise<LeaseInit> {
  const wanted = request.lease;
  if (!wanted) throw invalid("lease is required");
  const key = parseObjectName(wanted.name, "leases");
  const caller = await clientOf(context, call, key.namespace);
  const existing = await context.store.getLease(key.namespace, key.name);
  if (!existing) throw notFound("leases", key.name);
  const transfer = await transferTarget(context, key.namespace, wanted.client);
  const timesGiven = wanted.beginTime !== undefined || wanted.duration !== undefined || wanted.endTime !== undefined;
  const updated = await modifyLease(context.store, key.namespace, key.name, (lease) => {
    if (lease.spec.clientName !== caller.record.name) throw new JumpstarterError("UpdateLease permission denied", Code.PERMISSION_DENIED);
    let spec: LeaseSpec = lease.spec;
    if (wanted.beginTime !== undefined) {
      const begin = timestampDate(wanted.beginTime);
      if (lease.status.exporterName !== undefined && !sameTime(spec.beginTime, begin)) {
        throw new JumpstarterError("cannot update BeginTime: lease has already started", Code.FAILED_PRECONDITION);
      }
      spec = { ...spec, beginTime: begin };
    }
    if (wanted.duration !== undefined) spec = { ...spec, durationMs: durationMs(wanted.duration) };
    if (wanted.endTime !== undefined) spec = { ...spec, endTime: timestampDate(wanted.endTime) };
    if (transfer) {
      if (lease.status.exporterName === undefined) throw new JumpstarterError("cannot transfer lease: lease has not started yet", Code.FAILED_PRECONDITION);
      if (lease.status.ended) throw new JumpstarterError("cannot transfer lease: lease has already ended", Code.FAILED_PRECONDITION);
      if (transfer.otherNamespace) throw invalid("cannot transfer lease to client in different namespace");
      if (!transfer.exists) throw invalid(`target client not found: clients.jumpstarter.dev "${transfer.name}" not found`);
      spec = { ...spec, clientName: transfer.name };
    }
    if (timesGiven) {
      const times = reconcileLeaseTimes({
        ...(spec.beginTime ? { beginTime: spec.beginTime } : {}),
        ...(spec.endTime ? { endTime: spec.endTime } : {}),
        ...(spec.durationMs !== undefined ? { durationMs: spec.durationMs } : {}),
      });
      spec = { ...spec, ...times };
    }
    return spec === lease.spec ? undefined : { ...lease, spec };
  });
  if (transfer) context.logger.info(`lease ${key.name} transferred from ${caller.record.name} to ${updated.spec.clientName}`);
  return leaseMessage(updated, context.resources, nowOf(context));
}

/** DeleteLease: marks the caller's lease for release (the record stays, as the reference keeps the CR). */
export async function deleteLease(context: ServiceContext, request: DeleteLeaseRequest, call: ServerUnaryCall<unknown, unknown>): Promise<object> {
  const key = parseObjectName(request.name, "leases");
  const caller = await clientOf(context, call, key.namespace);
  const lease = await context.store.getLease(key.namespace, key.name);
  if (!lease) throw notFound("leases", key.name);
  if (lease.spec.clientName !== caller.record.name) throw new JumpstarterError("DeleteLease permission denied", Code.PERMISSION_DENIED);
  if (lease.spec.release) throw new JumpstarterError(`lease "${key.name}" has already been released`, Code.FAILED_PRECONDITION);
  await requestLeaseRelease(context.store, key.namespace, key.name);
  return {};
}
