/**
 * @module
 * ControllerService.Status (spec §3): marks the exporter seen on connect and every heartbeat, and tells it
 * whenever its lease assignment changes (identical consecutive updates are not repeated).
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ServerWritableStream } from "@grpc/grpc-js";
import { JumpstarterError } from "@jumpstarter/core";
import type { StatusRequest, StatusResponseSchema } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import { authenticateCall } from "../auth/authenticate.js";
import { modifyExporter } from "../store/modify.js";
import type { ServiceContext } from "./context.js";
import { nowOf } from "./context.js";
import type { WatchHub } from "./watch-hub.js";

type StatusResponseInit = MessageInitShape<typeof StatusResponseSchema>;

async function currentStatus(context: ServiceContext, namespace: string, name: string): Promise<{ response: StatusResponseInit; leaseName?: string }> {
  const exporter = await context.store.getExporter(namespace, name);
  if (!exporter) throw new JumpstarterError(`exporter ${namespace}/${name} was deleted`);
  if (!exporter.leaseRef) return { response: { leased: false, context: {} } };
  const lease = await context.store.getLease(namespace, exporter.leaseRef);
  if (!lease) throw new JumpstarterError(`failed to get lease ${exporter.leaseRef} of exporter ${name}`);
  return {
    response: { leased: true, leaseName: lease.name, clientName: lease.spec.clientName, context: { ...lease.spec.context } },
    leaseName: lease.name,
  };
}

function sameStatus(a: StatusResponseInit | undefined, b: StatusResponseInit): boolean {
  if (!a) return false;
  const entries = (value: StatusResponseInit) => JSON.stringify(Object.entries(value.context ?? {}).sort());
  return a.leased === b.leased && a.leaseName === b.leaseName && a.clientName === b.clientName && entries(a) === entries(b);
}

/** Serves one Status stream until the exporter goes away. */
export async function statusStream(
  context: ServiceContext,
  hub: WatchHub,
  call: ServerWritableStream<StatusRequest, StatusResponseInit>,
  signal: AbortSignal,
): Promise<void> {
  const caller = await authenticateCall(call.metadata, "Exporter", context.auth);
  const { namespace, name } = caller.record;
  const touch = (clearOffline: boolean) =>
    modifyExporter(context.store, namespace, name, (exporter) => ({
      ...exporter,
      lastSeen: nowOf(context),
      ...(clearOffline && exporter.status === "Offline" ? { status: "Unspecified" as const, statusMessage: "" } : {}),
    }));
  await touch(true);
  let wake: (() => void) | undefined;
  let dirty = true;
  const notify = () => {
    dirty = true;
    wake?.();
  };
  const heartbeat = setInterval(() => {
    touch(false).catch((error: unknown) => context.logger.warning(`status heartbeat of ${namespace}/${name} failed: ${(error as Error).message}`));
  }, context.heartbeatMs ?? 10_000);
  const offExporter = hub.on("exporter", namespace, name, notify);
  let offLease: (() => void) | undefined;
  let watchedLease: string | undefined;
  signal.addEventListener("abort", notify);
  let last: StatusResponseInit | undefined;
  try {
    while (!signal.aborted) {
      if (!dirty) {
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      dirty = false;
      const { response, leaseName } = await currentStatus(context, namespace, name);
      if (leaseName !== watchedLease) {
        offLease?.();
        offLease = leaseName ? hub.on("lease", namespace, leaseName, notify) : undefined;
        watchedLease = leaseName;
      }
      if (!sameStatus(last, response) && !signal.aborted) {
        call.write(response);
        last = response;
        context.logger.debug(`status to ${namespace}/${name}: ${response.leased ? `leased ${response.leaseName} by ${response.clientName}` : "not leased"}`);
      }
    }
  } finally {
    clearInterval(heartbeat);
    offExporter();
    offLease?.();
    signal.removeEventListener("abort", notify);
  }
}
