/**
 * @module
 * ControllerService lease RPCs of older clients (GetLease, RequestLease, ListLeases) and the client flavour of
 * ReleaseLease.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ServerUnaryCall } from "@grpc/grpc-js";
import { JumpstarterError } from "@jumpstarter/core";
import type {
  GetLeaseRequest,
  GetLeaseResponseSchema,
  ListLeasesResponseSchema,
  ReleaseLeaseRequest,
  RequestLeaseRequest,
  RequestLeaseResponseSchema,
} from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import { durationMs } from "@bufbuild/protobuf/wkt";
import { authenticateCall } from "../auth/authenticate.js";
import { newLeaseRecord, requestLeaseRelease } from "../leases/new-lease.js";
import type { LabelSelector, LabelSelectorOperator } from "../leases/selector.js";
import type { ServiceContext } from "./context.js";
import { conditionMessage, duration, timestamp } from "./conversions.js";
import { notFound } from "./identifiers.js";
import { uuidv7 } from "./uuid7.js";

/** GetLease (legacy): the caller's own lease with the selector as a LabelSelector. */
export async function getLeaseLegacy(context: ServiceContext, request: GetLeaseRequest, call: ServerUnaryCall<unknown, unknown>): Promise<MessageInitShape<typeof GetLeaseResponseSchema>> {
  const caller = await authenticateCall(call.metadata, "Client", context.auth);
  const lease = await context.store.getLease(caller.record.namespace, request.name);
  if (!lease) throw notFound("leases", request.name);
  if (lease.spec.clientName !== caller.record.name) throw new JumpstarterError("GetLease permission denied");
  let exporterUuid: string | undefined;
  if (lease.status.exporterName !== undefined) {
    const exporter = await context.store.getExporter(lease.namespace, lease.status.exporterName);
    if (!exporter) throw new JumpstarterError("GetLease fetch exporter uuid failed");
    exporterUuid = exporter.uid;
  }
  return {
    selector: {
      matchLabels: { ...lease.spec.selector.matchLabels },
      matchExpressions: lease.spec.selector.matchExpressions.map((expression) => ({ key: expression.key, operator: expression.operator, values: [...expression.values] })),
    },
    conditions: lease.status.conditions.map(conditionMessage),
    ...(lease.spec.durationMs !== undefined ? { duration: duration(lease.spec.durationMs) } : {}),
    ...(lease.status.beginTime ? { beginTime: timestamp(lease.status.beginTime) } : {}),
    ...(lease.status.endTime ? { endTime: timestamp(lease.status.endTime) } : {}),
    ...(exporterUuid !== undefined ? { exporterUuid } : {}),
  };
}

/** RequestLease (legacy): creates a lease named by a fresh UUIDv7. */
export async function requestLeaseLegacy(context: ServiceContext, request: RequestLeaseRequest, call: ServerUnaryCall<unknown, unknown>): Promise<MessageInitShape<typeof RequestLeaseResponseSchema>> {
  const caller = await authenticateCall(call.metadata, "Client", context.auth);
  const selector: LabelSelector = {
    matchLabels: { ...request.selector?.matchLabels },
    matchExpressions: (request.selector?.matchExpressions ?? []).map((expression) => ({
      key: expression.key,
      operator: expression.operator as LabelSelectorOperator,
      values: [...expression.values],
    })),
  };
  const name = uuidv7();
  await context.store.createLease(
    newLeaseRecord({
      namespace: caller.record.namespace,
      name,
      clientName: caller.record.name,
      selector,
      ...(request.duration ? { durationMs: durationMs(request.duration) } : {}),
    }),
  );
  return { name };
}

/** ListLeases (legacy): names of the caller's leases that have not ended. */
export async function listLeasesLegacy(context: ServiceContext, call: ServerUnaryCall<unknown, unknown>): Promise<MessageInitShape<typeof ListLeasesResponseSchema>> {
  const caller = await authenticateCall(call.metadata, "Client", context.auth);
  const page = await context.store.listLeases(caller.record.namespace, { onlyActive: true, clientName: caller.record.name });
  return { names: page.items.map((lease) => lease.name) };
}

/** ReleaseLease called by a client: only its own lease; idempotent. */
export async function releaseLeaseAsClient(context: ServiceContext, request: ReleaseLeaseRequest, call: ServerUnaryCall<unknown, unknown>): Promise<object> {
  const caller = await authenticateCall(call.metadata, "Client", context.auth);
  const lease = await context.store.getLease(caller.record.namespace, request.name);
  if (!lease) throw notFound("leases", request.name);
  if (lease.spec.clientName !== caller.record.name) throw new JumpstarterError("ReleaseLease permission denied");
  if (!lease.spec.release) await requestLeaseRelease(context.store, lease.namespace, lease.name);
  return {};
}
