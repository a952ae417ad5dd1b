/**
 * @module
 * ControllerService.Dial (spec §3, §6): checks the lease and the exporter's readiness, picks a router, mints one
 * router token and hands the same (endpoint, token) pair to the exporter's Listen and to the client.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ServerUnaryCall } from "@grpc/grpc-js";
import { Code, JumpstarterError } from "@jumpstarter/core";
import type { DialRequest, DialResponseSchema } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import { authenticateCall } from "../auth/authenticate.js";
import { exporterLiveness } from "../leases/liveness.js";
import type { ExporterRecord } from "../store/store.js";
import type { ServiceContext } from "./context.js";
import { nowOf } from "./context.js";
import { sleep } from "./handlers.js";
import { notFound } from "./identifiers.js";
import { chooseRouter } from "./routers.js";

/**
 * Whether an exporter in `status` may take driver calls: null when it may, `"wait"` for `Available` (the lease
 * is being set up), else the refusal.
 */
export function readinessError(status: string): JumpstarterError | "wait" | null {
  switch (status) {
    case "LeaseReady":
    case "BeforeLeaseHook":
    case "AfterLeaseHook":
    case "Unspecified":
    case "":
      return null;
    case "Available":
      return "wait";
    case "Offline":
      return new JumpstarterError("exporter is offline", Code.FAILED_PRECONDITION);
    case "BeforeLeaseHookFailed":
      return new JumpstarterError("exporter beforeLease hook failed", Code.FAILED_PRECONDITION);
    case "AfterLeaseHookFailed":
      return new JumpstarterError("exporter afterLease hook failed", Code.FAILED_PRECONDITION);
    default:
      return new JumpstarterError(`exporter not ready (status: ${status})`, Code.FAILED_PRECONDITION);
  }
}

async function awaitReadyExporter(context: ServiceContext, namespace: string, name: string, signal: AbortSignal): Promise<ExporterRecord> {
  const deadline = Date.now() + (context.dialReadyTimeoutMs ?? 30_000);
  let delay = 500;
  for (;;) {
    const exporter = await context.store.getExporter(namespace, name);
    if (!exporter) throw notFound("exporters", name);
    const verdict = readinessError(exporterLiveness(exporter, nowOf(context)).status);
    if (verdict === null) return exporter;
    if (verdict !== "wait") throw verdict;
    const left = deadline - Date.now();
    if (left <= 0 || signal.aborted) throw new JumpstarterError("exporter is not ready (status: Available)", Code.FAILED_PRECONDITION);
    await sleep(Math.min(delay, left), signal);
    delay = Math.min(delay * 2, 3000);
  }
}

/** Serves Dial. */
export async function dial(context: ServiceContext, request: DialRequest, call: ServerUnaryCall<unknown, unknown>): Promise<MessageInitShape<typeof DialResponseSchema>> {
  const caller = await authenticateCall(call.metadata, "Client", context.auth);
  const { namespace } = caller.record;
  const leaseName = request.leaseName;
  if (leaseName === "") throw new JumpstarterError("empty lease name");
  const lease = await context.store.getLease(namespace, leaseName);
  if (!lease) throw notFound("leases", leaseName);
  if (lease.spec.clientName !== caller.record.name) throw new JumpstarterError("permission denied");
  const exporterName = lease.status.exporterName;
  if (exporterName === undefined) throw new JumpstarterError("lease not active");
  const controller = new AbortController();
  const abort = () => controller.abort();
  call.once("cancelled", abort);
  let exporter: ExporterRecord;
  try {
    exporter = await awaitReadyExporter(context, namespace, exporterName, controller.signal);
  } finally {
    call.off("cancelled", abort);
  }
  const router = chooseRouter(context.routers(), exporter.labels);
  if (!router) throw new JumpstarterError("no router available");
  const { token, streamId } = await context.routerTokens.mint();
  context.queues.push(leaseName, { routerEndpoint: router.endpoint, routerToken: token });
  context.logger.debug(`dial on lease ${leaseName}: stream ${streamId} via router ${router.name} (${router.endpoint})`);
  return { routerEndpoint: router.endpoint, routerToken: token };
}
