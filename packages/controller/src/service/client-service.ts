/**
 * @module
 * `jumpstarter.client.v1.ClientService` (spec §4): exporters and leases of the caller's namespace, and
 * RotateToken.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ServerUnaryCall, ServiceDefinition, UntypedServiceImplementation } from "@grpc/grpc-js";
import { grpcServiceDefinition } from "@jumpstarter/protocol";
import { ClientService } from "@jumpstarter/protocol/gen/jumpstarter/client/v1/client_pb";
import type {
  CreateLeaseRequest,
  DeleteLeaseRequest,
  ExporterSchema,
  GetExporterRequest,
  GetLeaseRequest,
  LeaseSchema,
  ListExportersRequest,
  ListExportersResponseSchema,
  ListLeasesRequest,
  ListLeasesResponseSchema,
  RotateTokenRequest,
  RotateTokenResponseSchema,
  UpdateLeaseRequest,
} from "@jumpstarter/protocol/gen/jumpstarter/client/v1/client_pb";
import { exporterLiveness } from "../leases/liveness.js";
import { modifyClient } from "../store/modify.js";
import { clientOf } from "./client-auth.js";
import { createLease, deleteLease, updateLease } from "./client-leases.js";
import { parseLeaseFilter, parseListFilter } from "./client-selectors.js";
import type { ServiceContext } from "./context.js";
import { nowOf } from "./context.js";
import { exporterMessage, leaseMessage, timestamp } from "./conversions.js";
import { unary } from "./handlers.js";
import { notFound, parseNamespaceName, parseObjectName } from "./identifiers.js";

/** The grpc-js definition of `jumpstarter.client.v1.ClientService`. */
export const clientServiceDefinition: ServiceDefinition = grpcServiceDefinition(ClientService);

async function getExporter(context: ServiceContext, request: GetExporterRequest, call: ServerUnaryCall<unknown, unknown>): Promise<MessageInitShape<typeof ExporterSchema>> {
  const key = parseObjectName(request.name, "exporters");
  await clientOf(context, call, key.namespace);
  const exporter = await context.store.getExporter(key.namespace, key.name);
  if (!exporter) throw notFound("exporters", key.name);
  return exporterMessage(exporter, exporterLiveness(exporter, nowOf(context)), { ...context.resources, showHiddenLabels: request.showHiddenLabels });
}

async function listExporters(context: ServiceContext, request: ListExportersRequest, call: ServerUnaryCall<unknown, unknown>): Promise<MessageInitShape<typeof ListExportersResponseSchema>> {
  const namespace = parseNamespaceName(request.parent);
  await clientOf(context, call, namespace);
  const page = await context.store.listExporters(namespace, {
    selector: parseListFilter(request.filter),
    ...(request.pageSize > 0 ? { limit: request.pageSize } : {}),
    ...(request.pageToken !== "" ? { continueToken: request.pageToken } : {}),
  });
  const now = nowOf(context);
  return {
    exporters: page.items.map((exporter) =>
      exporterMessage(exporter, exporterLiveness(exporter, now), { ...context.resources, showHiddenLabels: request.showHiddenLabels }),
    ),
    nextPageToken: page.next ?? "",
  };
}

async function getLease(context: ServiceContext, request: GetLeaseRequest, call: ServerUnaryCall<unknown, unknown>): Promise<MessageInitShape<typeof LeaseSchema>> {
  const key = parseObjectName(request.name, "leases");
  await clientOf(context, call, key.namespace);
  const lease = await context.store.getLease(key.namespace, key.name);
  if (!lease) throw notFound("leases", key.name);
  return leaseMessage(lease, context.resources, nowOf(context));
}

async function listLeases(context: ServiceContext, request: ListLeasesRequest, call: ServerUnaryCall<unknown, unknown>): Promise<MessageInitShape<typeof ListLeasesResponseSchema>> {
  const namespace = parseNamespaceName(request.parent);
  await clientOf(context, call, namespace);
  const page = await context.store.listLeases(namespace, {
    selector: parseLeaseFilter(request.filter, request.tagFilter),
    onlyActive: request.onlyActive ?? true,
    ...(request.pageSize > 0 ? { limit: request.pageSize } : {}),
    ...(request.pageToken !== "" ? { continueToken: request.pageToken } : {}),
  });
  const now = nowOf(context);
  return { leases: page.items.map((lease) => leaseMessage(lease, context.resources, now)), nextPageToken: page.next ?? "" };
}

async function rotateToken(context: ServiceContext, request: RotateTokenRequest, call: ServerUnaryCall<unknown, unknown>): Promise<MessageInitShape<typeof RotateTokenResponseSchema>> {
  const namespace = parseNamespaceName(request.parent);
  const caller = await clientOf(context, call, namespace);
  const { namespace: ns, name, uid } = caller.record;
  const issued = await context.tokens.issue({ kind: "client", namespace: ns, name, uid });
  await modifyClient(context.store, ns, name, (client) => ({ ...client, token: issued.token, tokenExpiresAt: issued.expiresAt }));
  return { token: issued.token, expiry: timestamp(issued.expiresAt) };
}

/** Builds the ClientService implementation over `context`. */
export function clientServiceImplementation(context: ServiceContext): UntypedServiceImplementation {
  return {
    getExporter: unary((request: GetExporterRequest, call) => getExporter(context, request, call)),
    listExporters: unary((request: ListExportersRequest, call) => listExporters(context, request, call)),
    getLease: unary((request: GetLeaseRequest, call) => getLease(context, request, call)),
    listLeases: unary((request: ListLeasesRequest, call) => listLeases(context, request, call)),
    createLease: unary((request: CreateLeaseRequest, call) => createLease(context, request, call)),
    updateLease: unary((request: UpdateLeaseRequest, call) => updateLease(context, request, call)),
    deleteLease: unary((request: DeleteLeaseRequest, call) => deleteLease(context, request, call)),
    rotateToken: unary((request: RotateTokenRequest, call) => rotateToken(context, request, call)),
  };
}
