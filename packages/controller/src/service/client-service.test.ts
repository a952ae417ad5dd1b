import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Exporter, Lease, ListExportersResponse, ListLeasesResponse, RotateTokenResponse } from "@jumpstarter/protocol/gen/jumpstarter/client/v1/client_pb";
import { ExporterStatus } from "@jumpstarter/protocol/gen/jumpstarter/v1/common_pb";
import type { Harness, Identity } from "../testing/controller-harness.js";
import { startHarness } from "../testing/controller-harness.js";
import { refusal } from "../testing/grpc-clients.js";
import { createLease, hasEnded, isReady, onlineExporter, shortName, waitForLease } from "../testing/scenario.js";

describe("ClientService", () => {
  let h: Harness;
  let alice: Identity;
  let bob: Identity;

  before(async () => {
    h = await startHarness({ resources: { hiddenLabels: ["secret"], deprecatedLabels: { board: "use board-type" } } });
    alice = (await h.addClient("alice")).identity;
    bob = (await h.addClient("bob")).identity;
    await onlineExporter(h, "cs-a", { site: "a", kind: "rpi", secret: "x" });
    await onlineExporter(h, "cs-b", { site: "b", kind: "rpi", board: "old" });
    await h.addExporter("cs-never", { site: "c" });
  });
  after(() => h.close());

  describe("GetExporter / ListExporters", () => {
    it("maps an exporter: name, labels without hidden/deprecated keys, online, status, enabled", async () => {
      const exporter = await h.unary<Exporter>("client", "getExporter", { name: "namespaces/default/exporters/cs-a" }, alice);
      assert.equal(exporter.name, "namespaces/default/exporters/cs-a");
      assert.deepEqual(exporter.labels, { site: "a", kind: "rpi" });
      assert.equal(exporter.online, true);
      assert.equal(exporter.status, ExporterStatus.AVAILABLE);
      assert.equal(exporter.enabled, true);
      const shown = await h.unary<Exporter>("client", "getExporter", { name: "namespaces/default/exporters/cs-b", showHiddenLabels: true }, alice);
      assert.deepEqual(shown.labels, { site: "b", kind: "rpi", board: "old" });
      assert.deepEqual(shown.deprecatedLabels, { board: "use board-type" });
      const never = await h.unary<Exporter>("client", "getExporter", { name: "namespaces/default/exporters/cs-never" }, alice);
      assert.equal(never.online, false);
    });

    it("refuses malformed names and unknown exporters with the reference texts", async () => {
      assert.deepEqual(await refusal(h.unary("client", "getExporter", { name: "namespaces/default/exporters" }, alice)), {
        code: 3,
        details: 'invalid number of segments in identifier "namespaces/default/exporters", expecting 4, got 3',
      });
      assert.deepEqual(await refusal(h.unary("client", "getExporter", { name: "nope/default/exporters/x" }, alice)), {
        code: 3,
        details: 'invalid first segment in identifier "nope/default/exporters/x", expecting "namespaces", got "nope"',
      });
      assert.deepEqual(await refusal(h.unary("client", "getExporter", { name: "namespaces/default/leases/x" }, alice)), {
        code: 3,
        details: 'invalid third segment in identifier "namespaces/default/leases/x", expecting "exporters", got "leases"',
      });
      assert.deepEqual(await refusal(h.unary("client", "getExporter", { name: "namespaces/default/exporters/ghost" }, alice)), {
        code: 2,
        details: 'exporters.jumpstarter.dev "ghost" not found',
      });
      assert.deepEqual(await refusal(h.unary("client", "listExporters", { parent: "namespaces" }, alice)), {
        code: 3,
        details: 'invalid number of segments in identifier "namespaces", expecting 2, got 1',
      });
    });

    it("filters by label selector (== allowed) and pages with next_page_token", async () => {
      const names = (response: ListExportersResponse) => response.exporters.map((exporter) => exporter.name.split("/").pop());
      assert.deepEqual(names(await h.unary("client", "listExporters", { parent: "namespaces/default", filter: "site=a" }, alice)), ["cs-a"]);
      assert.deepEqual(names(await h.unary("client", "listExporters", { parent: "namespaces/default", filter: "kind==rpi,site!=a" }, alice)), ["cs-b"]);
      const all: string[] = [];
      let token = "";
      for (let page = 0; page < 5; page++) {
        const response = await h.unary<ListExportersResponse>("client", "listExporters", { parent: "namespaces/default", pageSize: 2, pageToken: token }, alice);
        assert.ok(response.exporters.length <= 2);
        all.push(...(names(response) as string[]));
        token = response.nextPageToken;
        if (token === "") break;
      }
      assert.deepEqual(all.sort(), ["cs-a", "cs-b", "cs-never"]);
    });
  });

  describe("leases", () => {
    it("CreateLease validates its input with the reference texts", async () => {
      const create = (lease: object | undefined, extra: object = {}) =>
        refusal(h.unary("client", "createLease", { parent: "namespaces/default", ...(lease ? { lease } : {}), ...extra }, alice));
      assert.deepEqual(await create(undefined), { code: 3, details: "lease is required" });
      assert.deepEqual(await create({ duration: { seconds: 60n } }), { code: 3, details: "one of selector or exporter_name is required" });
      const tags = await create({ selector: "site=a", duration: { seconds: 60n }, tags: { "jumpstarter.dev/x": "1" } });
      assert.equal(tags.code, 3);
      assert.match(tags.details, /^invalid lease tags: /);
      const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`t${i}`, "v"]));
      assert.deepEqual(await create({ selector: "site=a", duration: { seconds: 60n }, tags: eleven }), { code: 3, details: "invalid lease tags: too many tags: 11 (maximum 10)" });
      assert.deepEqual(await create({ selector: "site=a" }), { code: 2, details: "duration is required (must specify Duration, or both BeginTime and EndTime)" });
      const doubleEquals = await create({ selector: "site==a", duration: { seconds: 60n } });
      assert.equal(doubleEquals.code, 2);
      assert.match(doubleEquals.details, /unsupported label selector operator: ==/);
      assert.deepEqual(await create({ selector: "site=a", duration: { seconds: 60n } }, { parent: "namespaces/other" }), { code: 7, details: "namespace mismatch" });
      await createLease(h, alice, { selector: "site=zzz", seconds: 60 }, "dup-lease");
      assert.deepEqual(await create({ selector: "site=zzz", duration: { seconds: 60n } }, { leaseId: "dup-lease" }), {
        code: 2,
        details: 'leases.jumpstarter.dev "dup-lease" already exists',
      });
    });

    it("maps a lease: canonical selector, client, exporter, effective times, conditions, tags and context", async () => {
      const created = await createLease(h, alice, { selector: "site=a,kind in (rpi, x),!broken", seconds: 300, tags: { team: "qa" }, context: { ci: "1" } });
      assert.equal(created.selector, "!broken,kind in (rpi,x),site=a");
      assert.equal(created.client, "namespaces/default/clients/alice");
      assert.equal(created.duration?.seconds, 300n);
      const ready = await waitForLease(h, alice, created.name, isReady);
      assert.equal(ready.exporter, "namespaces/default/exporters/cs-a");
      assert.ok(ready.effectiveBeginTime);
      assert.ok(ready.effectiveDuration);
      assert.equal(ready.effectiveEndTime, undefined);
      assert.deepEqual(ready.tags, { team: "qa" });
      assert.deepEqual(ready.context, { ci: "1" });
      const condition = ready.conditions.find((c) => c.type === "Ready")!;
      assert.deepEqual([condition.status, condition.reason, condition.message], ["True", "Ready", "An exporter has been acquired for the client"]);
      assert.ok(condition.lastTransitionTime?.seconds !== undefined && condition.observedGeneration !== undefined);
      const seenByBob = await h.unary<Lease>("client", "getLease", { name: created.name }, bob);
      assert.equal(seenByBob.name, created.name);

      const pinned = await createLease(h, alice, { exporterName: "cs-never", seconds: 60 });
      assert.equal(pinned.selector, "<none>");
      assert.equal(pinned.exporterName, "cs-never");
      assert.equal(pinned.exporter, undefined);

      const listed = await h.unary<ListLeasesResponse>("client", "listLeases", { parent: "namespaces/default", tagFilter: "team=qa" }, bob);
      assert.deepEqual(listed.leases.map((lease) => lease.name), [created.name]);
      const byLabel = await h.unary<ListLeasesResponse>("client", "listLeases", { parent: "namespaces/default", filter: "site=a" }, bob);
      assert.ok(byLabel.leases.some((lease) => lease.name === created.name));

      await h.unary("client", "deleteLease", { name: created.name }, alice);
      await waitForLease(h, alice, created.name, hasEnded);
      const active = await h.unary<ListLeasesResponse>("client", "listLeases", { parent: "namespaces/default", tagFilter: "team=qa" }, alice);
      assert.equal(active.leases.length, 0);
      const all = await h.unary<ListLeasesResponse>("client", "listLeases", { parent: "namespaces/default", tagFilter: "team=qa", onlyActive: false }, alice);
      assert.equal(all.leases.length, 1);
      assert.ok(all.leases[0]!.effectiveEndTime);
    });

    it("DeleteLease: owner only, then 'already been released'", async () => {
      const lease = await createLease(h, alice, { selector: "site=nowhere", seconds: 60 });
      assert.deepEqual(await refusal(h.unary("client", "deleteLease", { name: lease.name }, bob)), { code: 7, details: "DeleteLease permission denied" });
      await h.unary("client", "deleteLease", { name: lease.name }, alice);
      assert.deepEqual(await refusal(h.unary("client", "deleteLease", { name: lease.name }, alice)), {
        code: 9,
        details: `lease "${shortName(lease.name)}" has already been released`,
      });
    });

    it("UpdateLease: owner only, duration by presence, begin time frozen once started, transfer rules", async () => {
      await onlineExporter(h, "cs-upd", { site: "upd" });
      const pending = await createLease(h, alice, { selector: "site=none-yet", seconds: 60 });
      const update = (lease: object, who: Identity = alice) => h.unary<Lease>("client", "updateLease", { lease }, who);
      assert.deepEqual(await refusal(update({ name: pending.name, duration: { seconds: 120n } }, bob)), { code: 7, details: "UpdateLease permission denied" });
      assert.deepEqual(await refusal(update({ name: pending.name, client: "namespaces/default/clients/bob" })), {
        code: 9,
        details: "cannot transfer lease: lease has not started yet",
      });
      assert.equal((await update({ name: pending.name, duration: { seconds: 120n } })).duration?.seconds, 120n);

      const lease = await createLease(h, alice, { selector: "site=upd", seconds: 60 });
      await waitForLease(h, alice, lease.name, isReady);
      assert.deepEqual(await refusal(update({ name: lease.name, beginTime: { seconds: BigInt(Math.floor(Date.now() / 1000) + 3600) } })), {
        code: 9,
        details: "cannot update BeginTime: lease has already started",
      });
      assert.deepEqual(await refusal(update({ name: lease.name, client: "namespaces/other/clients/bob" })), {
        code: 3,
        details: "cannot transfer lease to client in different namespace",
      });
      assert.deepEqual(await refusal(update({ name: lease.name, client: "namespaces/default/clients/carol" })), {
        code: 3,
        details: 'target client not found: clients.jumpstarter.dev "carol" not found',
      });
      const moved = await update({ name: lease.name, client: "namespaces/default/clients/bob" });
      assert.equal(moved.client, "namespaces/default/clients/bob");
      assert.deepEqual(await refusal(h.unary("client", "deleteLease", { name: lease.name }, alice)), { code: 7, details: "DeleteLease permission denied" });
      await h.unary("client", "deleteLease", { name: lease.name }, bob);
    });

    it("RotateToken issues a working token and stores it on the client record", async () => {
      const rotated = await h.unary<RotateTokenResponse>("client", "rotateToken", { parent: "namespaces/default" }, alice);
      assert.notEqual(rotated.token, alice.token);
      const days = (Number(rotated.expiry!.seconds) * 1000 - Date.now()) / 86_400_000;
      assert.ok(days > 364 && days <= 366);
      assert.equal((await h.store.getClient("default", "alice"))!.token, rotated.token);
      await h.unary("client", "listExporters", { parent: "namespaces/default" }, { ...alice, token: rotated.token });
    });
  });

  describe("legacy ControllerService lease RPCs", () => {
    it("RequestLease, GetLease, ListLeases and ReleaseLease for the owner only", async () => {
      await onlineExporter(h, "cs-legacy", { site: "legacy" });
      const { name } = await h.unary<{ name: string }>("controller", "requestLease", { duration: { seconds: 60n }, selector: { matchLabels: { site: "legacy" } } }, alice);
      assert.match(name, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      await waitForLease(h, alice, name, isReady);
      const legacy = await h.unary<{ selector: { matchLabels: object }; exporterUuid: string; duration: { seconds: bigint }; beginTime?: object }>(
        "controller",
        "getLease",
        { name },
        alice,
      );
      assert.deepEqual(legacy.selector.matchLabels, { site: "legacy" });
      assert.equal(legacy.exporterUuid, (await h.store.getExporter("default", "cs-legacy"))!.uid);
      assert.equal(legacy.duration.seconds, 60n);
      assert.ok(legacy.beginTime);
      assert.deepEqual(await refusal(h.unary("controller", "getLease", { name }, bob)), { code: 2, details: "GetLease permission denied" });
      const names = await h.unary<{ names: string[] }>("controller", "listLeases", {}, alice);
      assert.ok(names.names.includes(name));
      assert.ok(!(await h.unary<{ names: string[] }>("controller", "listLeases", {}, bob)).names.includes(name));
      assert.deepEqual(await refusal(h.unary("controller", "releaseLease", { name }, bob)), { code: 2, details: "ReleaseLease permission denied" });
      await h.unary("controller", "releaseLease", { name }, alice);
      await h.unary("controller", "releaseLease", { name }, alice);
      await waitForLease(h, alice, name, hasEnded);
    });
  });
});
