/**
 * @module
 * ControllerService RPCs called by exporters: Register, Unregister, ReportStatus, Listen, GetServiceEndpoints
 * and the exporter flavour of ReleaseLease (spec §3).
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ServerUnaryCall, ServerWritableStream } from "@grpc/grpc-js";
import { Code, JumpstarterError } from "@jumpstarter/core";
import type {
  GetServiceEndpointsResponseSchema,
  ListenRequest,
  ListenResponseSchema,
  RegisterRequest,
  RegisterResponseSchema,
  ReleaseLeaseRequest,
  ReportStatusRequest,
  UnregisterRequest,
} from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import { authenticateCall } from "../auth/authenticate.js";
import { requestLeaseRelease } from "../leases/new-lease.js";
import { modifyExporter } from "../store/modify.js";
import type { ExporterRecord } from "../store/store.js";
import type { ServiceContext } from "./context.js";
import { nowOf } from "./context.js";
import { statusNameOf } from "./conversions.js";
import { notFound } from "./identifiers.js";

const RESERVED = "jumpstarter.dev/";

/** Register: reserved labels from the request, devices from the reports; replies with the exporter's uid. */
export async function register(context: ServiceContext, request: RegisterRequest, call: ServerUnaryCall<unknown, unknown>): Promise<MessageInitShape<typeof RegisterResponseSchema>> {
  const caller = await authenticateCall(call.metadata, "Exporter", context.auth);
  const { namespace, name } = caller.record;
  context.logger.info(`registering exporter ${namespace}/${name}`);
  const updated = await modifyExporter(context.store, namespace, name, (exporter) => {
    const labels: Record<string, string> = {};
    for (const [key, value] of Object.entries(exporter.labels)) if (!key.startsWith(RESERVED)) labels[key] = value;
    for (const [key, value] of Object.entries(request.labels)) if (key.startsWith(RESERVED)) labels[key] = value;
    const devices = request.reports.map((report) => ({
      uuid: report.uuid,
      ...(report.parentUuid !== undefined ? { parentUuid: report.parentUuid } : {}),
      labels: { ...report.labels },
    }));
    return { ...exporter, labels, devices };
  });
  return { uuid: updated.uid };
}

/** Unregister: devices cleared, status Offline with the reason. */
export async function unregister(context: ServiceContext, request: UnregisterRequest, call: ServerUnaryCall<unknown, unknown>): Promise<object> {
  const caller = await authenticateCall(call.metadata, "Exporter", context.auth);
  const { namespace, name } = caller.record;
  await modifyExporter(context.store, namespace, name, (exporter) => ({
    ...exporter,
    devices: null,
    status: "Offline",
    statusMessage: request.reason || "Exporter unregistered",
  }));
  context.logger.info(`exporter ${namespace}/${name} unregistered: ${request.reason || "Exporter unregistered"}`);
  return {};
}

/** ReportStatus: status, message and lastSeen; `release_lease` asks to end the exporter's active lease. */
export async function reportStatus(context: ServiceContext, request: ReportStatusRequest, call: ServerUnaryCall<unknown, unknown>): Promise<object> {
  const caller = await authenticateCall(call.metadata, "Exporter", context.auth);
  const { namespace, name } = caller.record;
  const status = statusNameOf(request.status);
  const updated = await modifyExporter(context.store, namespace, name, (exporter) => ({
    ...exporter,
    status,
    statusMessage: request.message ?? "",
    lastSeen: nowOf(context),
  }));
  context.logger.debug(`exporter ${namespace}/${name} reports ${status}: ${request.message ?? ""}`);
  if (request.releaseLease === true && updated.leaseRef) {
    await releaseHeldLease(context, updated).catch((error: unknown) =>
      context.logger.warning(`releasing the lease of exporter ${namespace}/${name} failed: ${(error as Error).message}`),
    );
  }
  return {};
}

async function releaseHeldLease(context: ServiceContext, exporter: ExporterRecord): Promise<void> {
  const lease = await context.store.getLease(exporter.namespace, exporter.leaseRef!);
  if (!lease) throw new Error(`lease ${exporter.leaseRef} not found`);
  if (lease.status.exporterName !== exporter.name) throw new Error(`lease ${lease.name} is not held by exporter ${exporter.name}`);
  if (lease.status.ended || lease.spec.release) return;
  await requestLeaseRelease(context.store, lease.namespace, lease.name);
}

/** Listen: streams the router assignments Dial pushes for one lease the exporter holds. */
export async function listen(
  context: ServiceContext,
  request: ListenRequest,
  call: ServerWritableStream<ListenRequest, MessageInitShape<typeof ListenResponseSchema>>,
  signal: AbortSignal,
): Promise<void> {
  const caller = await authenticateCall(call.metadata, "Exporter", context.auth);
  const leaseName = request.leaseName;
  if (leaseName === "") throw new JumpstarterError("empty lease name");
  const lease = await context.store.getLease(caller.record.namespace, leaseName);
  if (!lease) throw notFound("leases", leaseName);
  if (lease.status.exporterName !== caller.record.name) throw new JumpstarterError("permission denied");
  const listener = context.queues.listen(leaseName);
  context.logger.debug(`exporter ${caller.record.name} listening on lease ${leaseName}`);
  try {
    for await (const assignment of listener.assignments(signal)) {
      if (!call.write({ routerEndpoint: assignment.routerEndpoint, routerToken: assignment.routerToken })) {
        await new Promise<void>((resolve) => {
          call.once("drain", resolve);
          signal.addEventListener("abort", () => resolve(), { once: true });
        });
      }
    }
  } finally {
    context.queues.release(leaseName, listener);
  }
}

/** GetServiceEndpoints: the telemetry endpoint when one is configured, else none. */
export async function getServiceEndpoints(context: ServiceContext, call: ServerUnaryCall<unknown, unknown>): Promise<MessageInitShape<typeof GetServiceEndpointsResponseSchema>> {
  await authenticateCall(call.metadata, "Exporter", context.auth);
  const telemetry = context.telemetry;
  if (!telemetry) return { telemetryEndpoints: [] };
  return {
    telemetryEndpoints: [{ endpoint: telemetry.endpoint, certificate: telemetry.certificate ?? "", minSeverity: telemetry.minSeverity ?? "info" }],
  };
}

/** ReleaseLease called by an exporter: only the lease it holds; idempotent. */
export async function releaseLeaseAsExporter(context: ServiceContext, request: ReleaseLeaseRequest, call: ServerUnaryCall<unknown, unknown>): Promise<object> {
  const caller = await authenticateCall(call.metadata, "Exporter", context.auth);
  const lease = await context.store.getLease(caller.record.namespace, request.name);
  if (!lease) throw new JumpstarterError(`lease ${request.name} not found`, Code.NOT_FOUND);
  if (lease.status.exporterName !== caller.record.name) {
    throw new JumpstarterError(`lease ${request.name} is not held by exporter ${caller.record.name}`, Code.FAILED_PRECONDITION);
  }
  if (!lease.spec.release) await requestLeaseRelease(context.store, lease.namespace, lease.name);
  return {};
}
