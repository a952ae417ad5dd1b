/**
 * @module
 * Steps of controller test scenarios: an online exporter, a lease created through ClientService, waiting for
 * the scheduler.
 */
import type { Lease } from "@jumpstarter/protocol/gen/jumpstarter/client/v1/client_pb";
import { ExporterStatus } from "@jumpstarter/protocol/gen/jumpstarter/v1/common_pb";
import type { Harness, Identity } from "./controller-harness.js";

/** Creates an exporter, registers it and reports `status` (default AVAILABLE). */
export async function onlineExporter(h: Harness, name: string, labels: Record<string, string> = {}, status = ExporterStatus.AVAILABLE): Promise<Identity> {
  const { identity } = await h.addExporter(name, labels);
  await h.unary("controller", "register", { labels: {}, reports: [{ uuid: crypto.randomUUID(), labels: {} }] }, identity);
  await h.unary("controller", "reportStatus", { status, message: "" }, identity);
  return identity;
}

/** Creates a lease through ClientService.CreateLease. */
export function createLease(
  h: Harness,
  client: Identity,
  lease: { selector?: string; exporterName?: string; seconds?: number; tags?: Record<string, string>; context?: Record<string, string> },
  leaseId = "",
): Promise<Lease> {
  return h.unary<Lease>(
    "client",
    "createLease",
    {
      parent: "namespaces/default",
      leaseId,
      lease: {
        selector: lease.selector ?? "",
        ...(lease.exporterName ? { exporterName: lease.exporterName } : {}),
        duration: { seconds: BigInt(lease.seconds ?? 600) },
        tags: lease.tags ?? {},
        context: lease.context ?? {},
      },
    },
    client,
  );
}

/** The short name of a `namespaces/x/leases/<name>` resource name. */
export function shortName(resource: string): string {
  return resource.slice(resource.lastIndexOf("/") + 1);
}

/** Polls GetLease until `done` holds (bounded; throws on timeout). */
export async function waitForLease(h: Harness, client: Identity, name: string, done: (lease: Lease) => boolean, timeoutMs = 20_000): Promise<Lease> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lease = await h.unary<Lease>("client", "getLease", { name: `namespaces/default/leases/${shortName(name)}` }, client);
    if (done(lease)) return lease;
    if (Date.now() > deadline) throw new Error(`lease ${name} did not reach the expected state: ${JSON.stringify(lease.conditions, (_key, value: unknown) => (typeof value === "bigint" ? String(value) : value))}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Whether the lease's Ready condition is True. */
export function isReady(lease: Lease): boolean {
  return lease.conditions.some((condition) => condition.type === "Ready" && condition.status === "True");
}

/** Whether the lease has ended. */
export function hasEnded(lease: Lease): boolean {
  return lease.effectiveEndTime !== undefined;
}
