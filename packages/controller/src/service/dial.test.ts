import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type * as grpc from "@grpc/grpc-js";
import { ExporterStatus } from "@jumpstarter/protocol/gen/jumpstarter/v1/common_pb";
import type { DialResponse, ListenResponse } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import { decodeJwt } from "jose";
import type { Harness, Identity } from "../testing/controller-harness.js";
import { startHarness } from "../testing/controller-harness.js";
import { refusal } from "../testing/grpc-clients.js";
import { createLease, isReady, onlineExporter, shortName, waitForLease } from "../testing/scenario.js";
import { ListenQueues, LISTEN_BUFFER } from "./listen-queues.js";

function collect<T>(stream: grpc.ClientReadableStream<T>): { messages: T[]; status: Promise<grpc.StatusObject> } {
  const messages: T[] = [];
  stream.on("data", (message: T) => messages.push(message));
  return { messages, status: new Promise((resolve) => stream.once("status", resolve)) };
}

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 800 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  assert.ok(condition(), "condition not reached");
}

describe("ControllerService.Dial and Listen", () => {
  let h: Harness;
  let client: Identity;
  let stranger: Identity;

  before(async () => {
    h = await startHarness({ dialReadyTimeoutMs: 1500 });
    client = (await h.addClient("dialer")).identity;
    stranger = (await h.addClient("stranger")).identity;
  });
  after(() => h.close());

  async function leasedExporter(name: string): Promise<{ exporter: Identity; lease: string }> {
    const exporter = await onlineExporter(h, name, { board: name });
    const created = await createLease(h, client, { selector: `board=${name}` });
    await waitForLease(h, client, created.name, isReady);
    return { exporter, lease: shortName(created.name) };
  }

  it("hands the same router endpoint and token to the client and to the exporter's Listen", async () => {
    const { exporter, lease } = await leasedExporter("dial-ok");
    await h.unary("controller", "reportStatus", { status: ExporterStatus.LEASE_READY, message: "Ready for commands" }, exporter);
    const listen = collect<ListenResponse>(h.stream<ListenResponse>("listen", { leaseName: lease }, exporter));
    await waitUntil(() => h.controller.queues.size > 0);
    const first = await h.unary<DialResponse>("controller", "dial", { leaseName: lease }, client);
    const second = await h.unary<DialResponse>("controller", "dial", { leaseName: lease }, client);
    await waitUntil(() => listen.messages.length === 2);
    assert.equal(first.routerEndpoint, h.controller.routerAddress);
    assert.deepEqual(
      listen.messages.map((m) => [m.routerEndpoint, m.routerToken]),
      [first, second].map((m) => [m.routerEndpoint, m.routerToken]),
    );
    const claims = decodeJwt(first.routerToken);
    assert.equal(claims.iss, "https://jumpstarter.dev/stream");
    assert.deepEqual(claims.aud, ["https://jumpstarter.dev/router"]);
    assert.notEqual(claims.sub, decodeJwt(second.routerToken).sub, "every Dial opens its own stream");
    assert.equal((claims.exp as number) - (claims.iat as number), 1800);
  });

  it("a second Listen replaces the first: the old stream ends, new assignments go to the new one", async () => {
    const { exporter, lease } = await leasedExporter("dial-replace");
    await h.unary("controller", "reportStatus", { status: ExporterStatus.LEASE_READY, message: "" }, exporter);
    const old = collect<ListenResponse>(h.stream<ListenResponse>("listen", { leaseName: lease }, exporter));
    await waitUntil(() => h.controller.queues.size > 0);
    await h.unary("controller", "dial", { leaseName: lease }, client);
    await waitUntil(() => old.messages.length === 1);
    const fresh = collect<ListenResponse>(h.stream<ListenResponse>("listen", { leaseName: lease }, exporter));
    assert.equal((await old.status).code, 0);
    const dialed = await h.unary<DialResponse>("controller", "dial", { leaseName: lease }, client);
    await waitUntil(() => fresh.messages.length === 1);
    assert.equal(fresh.messages[0]!.routerToken, dialed.routerToken);
    assert.equal(old.messages.length, 1);
  });

  it("refuses an empty lease name, an unknown lease, a lease of another client and a lease without exporter", async () => {
    const { lease } = await leasedExporter("dial-refuse");
    assert.deepEqual(await refusal(h.unary("controller", "dial", { leaseName: "" }, client)), { code: 2, details: "empty lease name" });
    assert.deepEqual(await refusal(h.unary("controller", "dial", { leaseName: "ghost" }, client)), { code: 2, details: 'leases.jumpstarter.dev "ghost" not found' });
    assert.deepEqual(await refusal(h.unary("controller", "dial", { leaseName: lease }, stranger)), { code: 2, details: "permission denied" });
    const pending = await createLease(h, client, { selector: "board=nothing-matches-this" }, "pending-lease");
    assert.equal(shortName(pending.name), "pending-lease");
    assert.deepEqual(await refusal(h.unary("controller", "dial", { leaseName: "pending-lease" }, client)), { code: 2, details: "lease not active" });
  });

  it("refuses when nobody listens on the lease: UNAVAILABLE", async () => {
    const { exporter, lease } = await leasedExporter("dial-nolisten");
    await h.unary("controller", "reportStatus", { status: ExporterStatus.LEASE_READY, message: "" }, exporter);
    assert.deepEqual(await refusal(h.unary("controller", "dial", { leaseName: lease }, client)), {
      code: 14,
      details: `exporter is not listening on lease ${lease}`,
    });
  });

  const refusedStatuses: [ExporterStatus, string][] = [
    [ExporterStatus.OFFLINE, "exporter is offline"],
    [ExporterStatus.BEFORE_LEASE_HOOK_FAILED, "exporter beforeLease hook failed"],
    [ExporterStatus.AFTER_LEASE_HOOK_FAILED, "exporter afterLease hook failed"],
  ];
  for (const [status, text] of refusedStatuses) {
    it(`refuses an exporter in status ${ExporterStatus[status]}: FAILED_PRECONDITION`, async () => {
      const { exporter, lease } = await leasedExporter(`dial-${status}`);
      await h.unary("controller", "reportStatus", { status, message: "" }, exporter);
      assert.deepEqual(await refusal(h.unary("controller", "dial", { leaseName: lease }, client)), { code: 9, details: text });
    });
  }

  it("waits while the exporter is Available and succeeds once it reports LEASE_READY", async () => {
    const { exporter, lease } = await leasedExporter("dial-wait");
    h.stream("listen", { leaseName: lease }, exporter);
    await waitUntil(() => h.controller.queues.size > 0);
    const dialing = h.unary<DialResponse>("controller", "dial", { leaseName: lease }, client);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await h.unary("controller", "reportStatus", { status: ExporterStatus.LEASE_READY, message: "" }, exporter);
    assert.ok((await dialing).routerToken.length > 0);
  });

  it("gives up on an exporter that stays Available: FAILED_PRECONDITION not ready", async () => {
    const { lease } = await leasedExporter("dial-stuck");
    const started = Date.now();
    assert.deepEqual(await refusal(h.unary("controller", "dial", { leaseName: lease }, client)), {
      code: 9,
      details: "exporter is not ready (status: Available)",
    });
    assert.ok(Date.now() - started >= 1000, "Dial retried before giving up");
  });
});

describe("ControllerService.Dial without routers", () => {
  it("answers 'no router available'", async () => {
    await using h = await startHarness({ routerListen: "none" });
    const { identity: client } = await h.addClient("lonely");
    const exporter = await onlineExporter(h, "no-router", { board: "no-router" });
    const lease = await createLease(h, client, { selector: "board=no-router" });
    await waitForLease(h, client, lease.name, isReady);
    await h.unary("controller", "reportStatus", { status: ExporterStatus.LEASE_READY, message: "" }, exporter);
    await assert.rejects(h.unary("controller", "dial", { leaseName: shortName(lease.name) }, client), (error: grpc.ServiceError) => {
      assert.equal(error.code, 2);
      assert.equal(error.details, "no router available");
      return true;
    });
  });
});

describe("ListenQueues", () => {
  it(`holds at most ${LISTEN_BUFFER} undelivered assignments: RESOURCE_EXHAUSTED after that`, () => {
    const queues = new ListenQueues();
    queues.listen("l1");
    for (let i = 0; i < LISTEN_BUFFER; i++) queues.push("l1", { routerEndpoint: "r:1", routerToken: `t${i}` });
    assert.throws(() => queues.push("l1", { routerEndpoint: "r:1", routerToken: "overflow" }), { code: 8, message: "listener buffer full on lease l1" });
    assert.throws(() => queues.push("l2", { routerEndpoint: "r:1", routerToken: "x" }), { code: 14, message: "exporter is not listening on lease l2" });
  });

  it("a replaced listener still delivers what it holds, then ends", async () => {
    const queues = new ListenQueues();
    const old = queues.listen("l1");
    queues.push("l1", { routerEndpoint: "r:1", routerToken: "a" });
    const fresh = queues.listen("l1");
    queues.push("l1", { routerEndpoint: "r:1", routerToken: "b" });
    const drained: string[] = [];
    for await (const assignment of old.assignments(new AbortController().signal)) drained.push(assignment.routerToken);
    assert.deepEqual(drained, ["a"]);
    const stop = new AbortController();
    const next = fresh.assignments(stop.signal);
    assert.equal((await next.next()).value?.routerToken, "b");
    stop.abort();
    assert.equal((await next.next()).done, true);
  });
});
