import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type * as grpc from "@grpc/grpc-js";
import { ExporterStatus } from "@jumpstarter/protocol/gen/jumpstarter/v1/common_pb";
import type { RegisterResponse, StatusResponse } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import type { Harness, Identity } from "../testing/controller-harness.js";
import { startHarness } from "../testing/controller-harness.js";
import { refusal } from "../testing/grpc-clients.js";
import { createLease, hasEnded, isReady, onlineExporter, shortName, waitForLease } from "../testing/scenario.js";

function nextMessage<T>(stream: grpc.ClientReadableStream<T>, timeoutMs = 10_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no message")), timeoutMs);
    stream.once("data", (message: T) => {
      clearTimeout(timer);
      resolve(message);
    });
  });
}

describe("ControllerService: exporter RPCs", () => {
  let h: Harness;
  let client: Identity;

  before(async () => {
    h = await startHarness({ heartbeatMs: 40 });
    client = (await h.addClient("dev")).identity;
  });
  after(() => h.close());

  it("Register keeps the exporter's own labels, replaces jumpstarter.dev/* ones and stores uuid/parent/labels of each report", async () => {
    const { record, identity } = await h.addExporter("reg-1", { site: "lab-a", "jumpstarter.dev/stale": "x" });
    const reply = await h.unary<RegisterResponse>(
      "controller",
      "register",
      {
        labels: { "jumpstarter.dev/name": "reg-1", ignored: "yes" },
        reports: [
          { uuid: "root-uuid", labels: { "jumpstarter.dev/client": "a.B" }, description: "root", methodsDescription: { on: "power on" } },
          { uuid: "child-uuid", parentUuid: "root-uuid", labels: { "jumpstarter.dev/name": "power" } },
        ],
      },
      identity,
    );
    assert.equal(reply.uuid, record.uid);
    const stored = (await h.store.getExporter("default", "reg-1"))!;
    assert.deepEqual(stored.labels, { site: "lab-a", "jumpstarter.dev/name": "reg-1" });
    assert.deepEqual(stored.devices, [
      { uuid: "root-uuid", labels: { "jumpstarter.dev/client": "a.B" } },
      { uuid: "child-uuid", parentUuid: "root-uuid", labels: { "jumpstarter.dev/name": "power" } },
    ]);
  });

  it("Unregister clears the devices and marks the exporter Offline with the reason", async () => {
    const identity = await onlineExporter(h, "unreg-1");
    await h.unary("controller", "unregister", { reason: "shutting down" }, identity);
    let stored = (await h.store.getExporter("default", "unreg-1"))!;
    assert.equal(stored.devices, null);
    assert.equal(stored.status, "Offline");
    assert.equal(stored.statusMessage, "shutting down");
    await h.unary("controller", "unregister", {}, identity);
    stored = (await h.store.getExporter("default", "unreg-1"))!;
    assert.equal(stored.statusMessage, "Exporter unregistered");
  });

  it("ReportStatus stores the status name, message and lastSeen", async () => {
    const { identity } = await h.addExporter("rep-1");
    const before = Date.now();
    await h.unary("controller", "reportStatus", { status: ExporterStatus.BEFORE_LEASE_HOOK_FAILED, message: "hook exit 3" }, identity);
    const stored = (await h.store.getExporter("default", "rep-1"))!;
    assert.equal(stored.status, "BeforeLeaseHookFailed");
    assert.equal(stored.statusMessage, "hook exit 3");
    assert.ok(stored.lastSeen && stored.lastSeen.getTime() >= before - 1000);
  });

  it("GetServiceEndpoints answers exporters with an empty list and refuses clients", async () => {
    const { identity } = await h.addExporter("gse-1");
    assert.deepEqual((await h.unary<{ telemetryEndpoints: unknown[] }>("controller", "getServiceEndpoints", {}, identity)).telemetryEndpoints, []);
    assert.deepEqual(await refusal(h.unary("controller", "getServiceEndpoints", {}, client)), { code: 3, details: "object kind mismatch" });
  });

  it("Status: sends the lease assignment, skips identical updates, clears a stale Offline and refreshes lastSeen", async () => {
    const identity = await onlineExporter(h, "status-1", { board: "status-1" });
    await h.unary("controller", "unregister", { reason: "restart" }, identity);
    await h.unary("controller", "register", { labels: {}, reports: [{ uuid: "u", labels: {} }] }, identity);
    const stream = h.stream<StatusResponse>("status", {}, identity);
    const received: StatusResponse[] = [];
    stream.on("data", (message: StatusResponse) => received.push(message));
    await waitUntil(() => received.length === 1);
    assert.equal(received[0]!.leased, false);
    const afterConnect = (await h.store.getExporter("default", "status-1"))!;
    assert.equal(afterConnect.status, "Unspecified");
    const seen = afterConnect.lastSeen!.getTime();
    await waitUntil(async () => ((await h.store.getExporter("default", "status-1"))!.lastSeen!.getTime() > seen));
    assert.equal(received.length, 1, "heartbeats must not repeat an identical status");

    const lease = await createLease(h, client, { selector: "board=status-1", context: { ticket: "T-1" } });
    await waitUntil(() => received.length === 2);
    assert.equal(received[1]!.leased, true);
    assert.equal(received[1]!.leaseName, shortName(lease.name));
    assert.equal(received[1]!.clientName, "dev");
    assert.deepEqual(received[1]!.context, { ticket: "T-1" });

    await h.unary("client", "deleteLease", { name: lease.name }, client);
    await waitUntil(() => received.length === 3);
    assert.equal(received[2]!.leased, false);
    assert.equal(received[2]!.leaseName, undefined);
    stream.cancel();
  });

  it("ReportStatus with release_lease ends the exporter's active lease", async () => {
    const identity = await onlineExporter(h, "release-1", { board: "release-1" });
    const lease = await createLease(h, client, { selector: "board=release-1" });
    await waitForLease(h, client, lease.name, isReady);
    await h.unary("controller", "reportStatus", { status: ExporterStatus.AVAILABLE, message: "", releaseLease: true }, identity);
    const ended = await waitForLease(h, client, lease.name, hasEnded);
    const ready = ended.conditions.find((condition) => condition.type === "Ready")!;
    assert.equal(ready.status, "False");
    assert.equal(ready.reason, "Released");
  });

  it("ReleaseLease as an exporter: not found, not held, then released (idempotent)", async () => {
    const identity = await onlineExporter(h, "rel-ex-1", { board: "rel-ex-1" });
    const other = await onlineExporter(h, "rel-ex-2", { board: "rel-ex-2" });
    assert.deepEqual(await refusal(h.unary("controller", "releaseLease", { name: "nope" }, identity)), { code: 5, details: "lease nope not found" });
    const lease = await createLease(h, client, { selector: "board=rel-ex-1" });
    const name = shortName(lease.name);
    await waitForLease(h, client, name, isReady);
    assert.deepEqual(await refusal(h.unary("controller", "releaseLease", { name }, other)), {
      code: 9,
      details: `lease ${name} is not held by exporter rel-ex-2`,
    });
    await h.unary("controller", "releaseLease", { name }, identity);
    await h.unary("controller", "releaseLease", { name }, identity);
    await waitForLease(h, client, name, hasEnded);
  });

  it("Listen refuses an empty lease name, an unknown lease and a lease the exporter does not hold", async () => {
    const identity = await onlineExporter(h, "listen-1", { board: "listen-1" });
    const other = await onlineExporter(h, "listen-2", { board: "listen-2" });
    const status = (stream: grpc.ClientReadableStream<unknown>) => new Promise<grpc.StatusObject>((resolve) => stream.once("status", resolve));
    const empty = await status(h.stream("listen", { leaseName: "" }, identity));
    assert.deepEqual([empty.code, empty.details], [2, "empty lease name"]);
    const unknown = await status(h.stream("listen", { leaseName: "ghost" }, identity));
    assert.deepEqual([unknown.code, unknown.details], [2, 'leases.jumpstarter.dev "ghost" not found']);
    const lease = await createLease(h, client, { selector: "board=listen-1" });
    await waitForLease(h, client, lease.name, isReady);
    const denied = await status(h.stream("listen", { leaseName: shortName(lease.name) }, other));
    assert.deepEqual([denied.code, denied.details], [2, "permission denied"]);
  });

  async function waitUntil(condition: () => boolean | Promise<boolean>): Promise<void> {
    for (let i = 0; i < 800; i++) {
      if (await condition()) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.fail("condition not reached");
  }
  void nextMessage;
});
