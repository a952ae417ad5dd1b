/**
 * @module
 * The behaviour every {@link Store} backend must have, as a node:test suite: `runStoreContract(newLocation)`
 * where `newLocation()` yields the location of a fresh, empty database for {@link openStore}.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseSelector } from "../leases/selector.js";
import { AlreadyExistsError, ExporterBusyError, ObjectNotFoundError, StoreConflictError } from "./errors.js";
import { modifyExporter } from "./modify.js";
import { openStore } from "./open-store.js";
import type { DeviceRecord, LeaseRecord, NewObject, Store, StoreEvent } from "./store.js";

const NS = "lab";

/** A lease with every spec/status field set, for round-trip checks. */
export function sampleLease(name: string, overrides: Partial<NewObject<LeaseRecord>> = {}): NewObject<LeaseRecord> {
  return {
    namespace: NS,
    name,
    labels: { board: "rpi4" },
    spec: {
      clientName: "alice",
      selector: parseSelector("board=rpi4,rack in (a,b),!broken"),
      durationMs: 1_800_000,
      beginTime: new Date("2030-01-02T03:04:05.678Z"),
      tags: { team: "kernel" },
      context: { ci: "run-7" },
      allowDisabled: false,
      release: false,
    },
    status: { ended: false, priority: 0, spotAccess: false, conditions: [] },
    ...overrides,
  };
}

async function withStore<T>(location: string, use: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(location);
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

function exporterInput(name: string, labels: Record<string, string> = {}) {
  return { namespace: NS, name, labels, enabled: true, devices: null, status: "Unspecified" as const, statusMessage: "", lastSeen: null };
}

/** Registers the shared store suite; `newLocation()` must return a fresh empty database each call. */
export function runStoreContract(newLocation: () => Promise<string>): void {
  const fresh = async <T>(use: (store: Store) => Promise<T>) => withStore(await newLocation(), use);

  describe("clients", () => {
    it("creates, reads, lists, updates with compare-and-set and deletes", () =>
      fresh(async (store) => {
        const created = await store.createClient({ namespace: NS, name: "alice", labels: { team: "a" }, username: "oidc:alice" });
        assert.equal(created.version, 1);
        assert.match(created.uid, /^[0-9a-f-]{36}$/);
        await assert.rejects(store.createClient({ namespace: NS, name: "alice", labels: {} }), AlreadyExistsError);
        await store.createClient({ namespace: NS, name: "bob", labels: {} });
        await store.createClient({ namespace: "other", name: "carol", labels: {} });
        const listed = await store.listClients(NS);
        assert.deepEqual(listed.items.map((c) => c.name), ["alice", "bob"]);
        const got = await store.getClient(NS, "alice");
        assert.deepEqual(got, created);
        const expiresAt = new Date("2031-05-06T07:08:09.000Z");
        const updated = await store.updateClient({ ...created, token: "t1", tokenExpiresAt: expiresAt });
        assert.equal(updated.version, 2);
        await assert.rejects(store.updateClient({ ...created, token: "stale" }), StoreConflictError);
        const reread = await store.getClient(NS, "alice");
        assert.equal(reread?.token, "t1");
        assert.equal(reread?.tokenExpiresAt?.getTime(), expiresAt.getTime());
        assert.equal(await store.deleteClient(NS, "alice"), true);
        assert.equal(await store.deleteClient(NS, "alice"), false);
        assert.equal(await store.getClient(NS, "alice"), undefined);
        await assert.rejects(store.updateClient(updated), ObjectNotFoundError);
      }));
  });

  describe("exporters", () => {
    it("round-trips live state and derives leaseRef from the active lease", () =>
      fresh(async (store) => {
        const created = await store.createExporter(exporterInput("e1", { board: "rpi4" }));
        assert.equal(created.leaseRef, null);
        assert.equal(created.lastSeen, null);
        const seen = new Date("2030-01-01T00:00:00.123Z");
        const devices: DeviceRecord[] = [{ uuid: "u1", labels: { "jumpstarter.dev/name": "power" } }, { uuid: "u2", parentUuid: "u1", labels: {} }];
        await store.updateExporter({ ...created, status: "Available", statusMessage: "ok", lastSeen: seen, devices });
        const got = await store.getExporter(NS, "e1");
        assert.equal(got?.status, "Available");
        assert.equal(got?.statusMessage, "ok");
        assert.equal(got?.lastSeen?.getTime(), seen.getTime());
        assert.deepEqual(got?.devices, devices);
        assert.equal(got?.enabled, true);
        const lease = await store.createLease(sampleLease("l1"));
        await store.updateLease({ ...lease, status: { ...lease.status, exporterName: "e1", beginTime: new Date() } });
        assert.equal((await store.getExporter(NS, "e1"))?.leaseRef, "l1");
        assert.equal((await store.listExporters(NS)).items[0]?.leaseRef, "l1");
      }));

    it("pages and filters by label selector", () =>
      fresh(async (store) => {
        for (const name of ["e5", "e1", "e4", "e2", "e3"]) {
          await store.createExporter(exporterInput(name, { kind: name === "e3" ? "x" : "y" }));
        }
        const first = await store.listExporters(NS, { limit: 2 });
        assert.deepEqual(first.items.map((e) => e.name), ["e1", "e2"]);
        assert.ok(first.next);
        const second = await store.listExporters(NS, { limit: 2, continueToken: first.next });
        assert.deepEqual(second.items.map((e) => e.name), ["e3", "e4"]);
        const third = await store.listExporters(NS, { limit: 2, continueToken: second.next });
        assert.deepEqual(third.items.map((e) => e.name), ["e5"]);
        assert.equal(third.next, undefined);
        const filtered = await store.listExporters(NS, { selector: parseSelector("kind!=x") });
        assert.deepEqual(filtered.items.map((e) => e.name), ["e1", "e2", "e4", "e5"]);
      }));

    it("serialises concurrent read-modify-write updates without losing any", () =>
      fresh(async (store) => {
        await store.createExporter(exporterInput("e1"));
        await Promise.all(
          Array.from({ length: 10 }, (_, i) => modifyExporter(store, NS, "e1", (e) => ({ ...e, labels: { ...e.labels, [`k${i}`]: "v" } }))),
        );
        const got = await store.getExporter(NS, "e1");
        assert.equal(Object.keys(got?.labels ?? {}).length, 10);
        assert.equal(got?.version, 11);
      }));
  });

  describe("leases", () => {
    it("round-trips every spec and status field", () =>
      fresh(async (store) => {
        const condition = {
          type: "Ready",
          status: "True" as const,
          observedGeneration: 3,
          lastTransitionTime: new Date("2030-01-02T03:04:06.000Z"),
          reason: "Ready",
          message: "An exporter has been acquired for the client",
        };
        const input = sampleLease("l1", {
          status: { ended: false, priority: 5, spotAccess: true, exporterName: "e1", beginTime: new Date("2030-01-02T03:04:06.000Z"), conditions: [condition] },
        });
        const created = await store.createLease({ ...input, spec: { ...input.spec, exporterName: "e1", endTime: new Date("2030-01-02T04:04:05.678Z") } });
        const got = await store.getLease(NS, "l1");
        assert.deepEqual(got, created);
        assert.deepEqual(got?.spec.selector, { matchLabels: { board: "rpi4" }, matchExpressions: [
          { key: "broken", operator: "DoesNotExist", values: [] },
          { key: "rack", operator: "In", values: ["a", "b"] },
        ] });
        assert.ok(got?.status.conditions[0]?.lastTransitionTime instanceof Date);
        assert.equal(got?.spec.beginTime?.toISOString(), "2030-01-02T03:04:05.678Z");
        assert.equal(got?.status.endTime, undefined);
      }));

    it("lists in creation order with active, client and exporter filters", () =>
      fresh(async (store) => {
        for (const name of ["zz", "aa", "mm"]) await store.createLease(sampleLease(name, name === "aa" ? {} : {}));
        const mm = await store.getLease(NS, "mm");
        assert.ok(mm);
        await store.updateLease({ ...mm, status: { ...mm.status, ended: true, endTime: new Date() } });
        const other = sampleLease("bob-lease");
        await store.createLease({ ...other, spec: { ...other.spec, clientName: "bob" } });
        assert.deepEqual((await store.listLeases(NS)).items.map((l) => l.name), ["zz", "aa", "mm", "bob-lease"]);
        assert.deepEqual((await store.listLeases(NS, { onlyActive: true })).items.map((l) => l.name), ["zz", "aa", "bob-lease"]);
        assert.deepEqual((await store.listLeases(NS, { clientName: "bob" })).items.map((l) => l.name), ["bob-lease"]);
        const pageOne = await store.listLeases(NS, { limit: 3 });
        const pageTwo = await store.listLeases(NS, { limit: 3, continueToken: pageOne.next });
        assert.deepEqual(pageTwo.items.map((l) => l.name), ["bob-lease"]);
      }));

    it("lets at most one active lease hold an exporter", () =>
      fresh(async (store) => {
        await store.createExporter(exporterInput("e1"));
        const a = await store.createLease(sampleLease("a"));
        const b = await store.createLease(sampleLease("b"));
        const assigned = await store.updateLease({ ...a, status: { ...a.status, exporterName: "e1" } });
        await assert.rejects(store.updateLease({ ...b, status: { ...b.status, exporterName: "e1" } }), ExporterBusyError);
        assert.equal(await store.tryUpdateLease({ ...b, status: { ...b.status, exporterName: "e1" } }), undefined);
        assert.equal(await store.tryUpdateLease({ ...a, status: { ...a.status, exporterName: "e1" } }), undefined, "stale version");
        await store.updateLease({ ...assigned, status: { ...assigned.status, ended: true } });
        const won = await store.tryUpdateLease({ ...b, status: { ...b.status, exporterName: "e1" } });
        assert.equal(won?.status.exporterName, "e1");
        assert.equal((await store.getExporter(NS, "e1"))?.leaseRef, "b");
        await assert.rejects(store.createLease(sampleLease("c", { status: { ...b.status, exporterName: "e1" } })), ExporterBusyError);
      }));

    it("gives an exporter to exactly one of many concurrent assignments", () =>
      fresh(async (store) => {
        const leases = await Promise.all(Array.from({ length: 8 }, (_, i) => store.createLease(sampleLease(`l${i}`))));
        const results = await Promise.all(leases.map((l) => store.tryUpdateLease({ ...l, status: { ...l.status, exporterName: "e1" } })));
        assert.equal(results.filter((r) => r !== undefined).length, 1);
        assert.equal((await store.listLeases(NS, { exporterName: "e1" })).items.length, 1);
      }));

    it("deletes leases", () =>
      fresh(async (store) => {
        await store.createLease(sampleLease("a"));
        assert.equal(await store.deleteLease(NS, "a"), true);
        assert.equal(await store.getLease(NS, "a"), undefined);
        assert.equal(await store.deleteLease(NS, "a"), false);
      }));
  });

  describe("events", () => {
    it("reports puts, deletes, and exporter changes caused by lease assignment", () =>
      fresh(async (store) => {
        const events: StoreEvent[] = [];
        const stop = store.watch((event) => events.push(event));
        const lease = await store.createLease(sampleLease("l1"));
        await store.updateLease({ ...lease, status: { ...lease.status, exporterName: "e9" } });
        await store.deleteLease(NS, "l1");
        await store.createClient({ namespace: NS, name: "c", labels: {} });
        stop();
        await store.deleteClient(NS, "c");
        const text = events.map((e) => `${e.op} ${e.kind} ${e.namespace}/${e.name}`);
        assert.deepEqual(text, [
          "put lease lab/l1",
          "put lease lab/l1",
          "put exporter lab/e9",
          "delete lease lab/l1",
          "put exporter lab/e9",
          "put client lab/c",
        ]);
      }));
  });

  describe("persistence", () => {
    it("loses nothing across close and reopen", async () => {
      const location = await newLocation();
      const key = await withStore(location, async (store) => {
        await store.createClient({ namespace: NS, name: "alice", labels: {}, token: "tok" });
        const exporter = await store.createExporter(exporterInput("e1", { board: "rpi4" }));
        await store.updateExporter({ ...exporter, status: "LeaseReady", lastSeen: new Date(1_000) });
        const lease = await store.createLease(sampleLease("l1"));
        await store.updateLease({ ...lease, status: { ...lease.status, exporterName: "e1" } });
        return store.ensureKey("signing", "first");
      });
      assert.equal(key, "first");
      await withStore(location, async (store) => {
        assert.equal((await store.getClient(NS, "alice"))?.token, "tok");
        const exporter = await store.getExporter(NS, "e1");
        assert.equal(exporter?.status, "LeaseReady");
        assert.equal(exporter?.lastSeen?.getTime(), 1_000);
        assert.equal(exporter?.leaseRef, "l1");
        assert.equal((await store.getLease(NS, "l1"))?.version, 2);
        assert.equal(await store.ensureKey("signing", "second"), "first");
        assert.equal(await store.getKey("signing"), "first");
        assert.equal(await store.getKey("missing"), undefined);
      });
    });
  });
}
