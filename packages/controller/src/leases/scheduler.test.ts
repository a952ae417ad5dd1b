import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { modifyExporter } from "../store/modify.js";
import { openStore } from "../store/open-store.js";
import type { LeaseRecord, Store } from "../store/store.js";
import { findCondition, queuePositionOf } from "./conditions.js";
import { LEASE_ENDED_LABEL } from "./apply.js";
import { newLeaseRecord, requestLeaseRelease } from "./new-lease.js";
import { LeaseScheduler } from "./scheduler.js";
import { parseSelector } from "./selector.js";

const NS = "lab";
const dir = mkdtempSync(join(tmpdir(), "jmp-sched-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function addExporter(store: Store, name: string, labels: Record<string, string>) {
  const created = await store.createExporter({ namespace: NS, name, labels, enabled: true, devices: null, status: "Unspecified", statusMessage: "", lastSeen: null });
  return store.updateExporter({ ...created, devices: [], status: "Available", lastSeen: new Date() });
}

function lease(name: string, selector: string, durationMs = 3_600_000) {
  return newLeaseRecord({ namespace: NS, name, clientName: "alice", selector: parseSelector(selector), durationMs });
}

async function holder(store: Store, name: string): Promise<string | undefined> {
  return (await store.getLease(NS, name))?.status.exporterName;
}

function pendingPosition(record: LeaseRecord | undefined): number | undefined {
  const pending = findCondition(record?.status.conditions ?? [], "Pending");
  return pending ? queuePositionOf(pending.message) : undefined;
}

async function withScheduler(use: (store: Store, scheduler: LeaseScheduler) => Promise<void>, location = join(dir, `s${counter++}.db`)) {
  const store = await openStore(location);
  const scheduler = new LeaseScheduler(store, { namespace: NS, resyncMs: 60_000 });
  scheduler.start();
  try {
    await use(store, scheduler);
  } finally {
    await scheduler.stop();
    await store.close();
  }
}

describe("LeaseScheduler", () => {
  it("assigns an exporter as soon as a lease is created", () =>
    withScheduler(async (store) => {
      await addExporter(store, "e1", { board: "rpi4" });
      await store.createLease(lease("l1", "board=rpi4"));
      await waitFor("assignment", () => holder(store, "l1"));
      assert.equal((await store.getExporter(NS, "e1"))?.leaseRef, "l1");
      const ready = findCondition((await store.getLease(NS, "l1"))?.status.conditions ?? [], "Ready");
      assert.equal(ready?.status, "True");
    }));

  it("serves waiting leases first come, first served, and reports queue positions", () =>
    withScheduler(async (store) => {
      await addExporter(store, "e1", { board: "rpi4" });
      await store.createLease(lease("first", "board=rpi4"));
      await waitFor("first assignment", () => holder(store, "first"));
      for (const name of ["w1", "w2", "w3"]) await store.createLease(lease(name, "board=rpi4"));
      await waitFor("queue positions", async () => {
        const positions = await Promise.all(["w1", "w2", "w3"].map(async (n) => pendingPosition(await store.getLease(NS, n))));
        return positions.join(",") === "1,2,3";
      });
      const w1 = await store.getLease(NS, "w1");
      assert.equal(findCondition(w1?.status.conditions ?? [], "Pending")?.message, "Waiting for a matching exporter (position 1 in queue)");

      await requestLeaseRelease(store, NS, "first");
      await waitFor("w1 gets the exporter", () => holder(store, "w1"));
      const first = await store.getLease(NS, "first");
      assert.equal(first?.status.ended, true);
      assert.equal(first?.labels[LEASE_ENDED_LABEL], "true");
      assert.equal(findCondition(first?.status.conditions ?? [], "Ready")?.reason, "Released");
      assert.equal(await holder(store, "w2"), undefined);
      await waitFor("positions move up", async () => pendingPosition(await store.getLease(NS, "w3")) === 2);

      await requestLeaseRelease(store, NS, "w1");
      await waitFor("w2 gets the exporter", () => holder(store, "w2"));
      assert.equal(await holder(store, "w3"), undefined);
    }));

  it("waits for the exporter to become ready again after a lease", () =>
    withScheduler(async (store, scheduler) => {
      await addExporter(store, "e1", { a: "1" });
      await store.createLease(lease("l1", "a=1"));
      await waitFor("l1", () => holder(store, "l1"));
      await modifyExporter(store, NS, "e1", (e) => ({ ...e, status: "LeaseReady" }));
      await store.createLease(lease("l2", "a=1"));
      await requestLeaseRelease(store, NS, "l1");
      await modifyExporter(store, NS, "e1", (e) => ({ ...e, status: "AfterLeaseHook" }));
      await waitFor("l2 NotReady", async () => findCondition((await store.getLease(NS, "l2"))?.status.conditions ?? [], "Pending")?.reason === "NotReady");
      await scheduler.settle();
      assert.equal(await holder(store, "l2"), undefined);
      await modifyExporter(store, NS, "e1", (e) => ({ ...e, status: "Available" }));
      await waitFor("l2 assigned", () => holder(store, "l2"));
    }));

  it("picks up an exporter that comes online", () =>
    withScheduler(async (store) => {
      const created = await store.createExporter({ namespace: NS, name: "e1", labels: { a: "1" }, enabled: true, devices: [], status: "Available", statusMessage: "", lastSeen: null });
      await store.createLease(lease("l1", "a=1"));
      await waitFor("Pending Offline", async () => findCondition((await store.getLease(NS, "l1"))?.status.conditions ?? [], "Pending")?.reason === "Offline");
      await store.updateExporter({ ...created, lastSeen: new Date() });
      await waitFor("assignment", () => holder(store, "l1"));
    }));

  it("expires a lease when its time is up, without any other trigger", () =>
    withScheduler(async (store) => {
      await addExporter(store, "e1", { a: "1" });
      await store.createLease(lease("short", "a=1", 300));
      await waitFor("assignment", () => holder(store, "short"));
      const ended = await waitFor("expiry", async () => {
        const record = await store.getLease(NS, "short");
        return record?.status.ended ? record : undefined;
      });
      assert.equal(findCondition(ended.status.conditions, "Ready")?.reason, "Expired");
      assert.equal((await store.getExporter(NS, "e1"))?.leaseRef, null);
    }));

  it("starts leases with a future begin time when it comes", () =>
    withScheduler(async (store) => {
      await addExporter(store, "e1", { a: "1" });
      const beginTime = new Date(Date.now() + 400);
      await store.createLease(newLeaseRecord({ namespace: NS, name: "later", clientName: "c", selector: parseSelector("a=1"), beginTime, durationMs: 60_000 }));
      const begun = await waitFor("begin", async () => {
        const record = await store.getLease(NS, "later");
        return record?.status.beginTime ? record : undefined;
      });
      assert.ok(begun.status.beginTime!.getTime() >= beginTime.getTime());
    }));

  it("ends unsatisfiable leases immediately", () =>
    withScheduler(async (store) => {
      await addExporter(store, "e1", { a: "1" });
      await store.createLease(lease("none", "a=2"));
      const ended = await waitFor("end", async () => {
        const record = await store.getLease(NS, "none");
        return record?.status.ended ? record : undefined;
      });
      assert.equal(findCondition(ended.status.conditions, "Unsatisfiable")?.reason, "NoAccess");
    }));

  it("keeps leases across a controller restart and still expires them", async () => {
    const location = join(dir, "restart.db");
    await withScheduler(async (store) => {
      await addExporter(store, "e1", { a: "1" });
      await store.createLease(lease("kept", "a=1", 1500));
      await store.createLease(lease("queued", "a=1"));
      await waitFor("assignment", () => holder(store, "kept"));
    }, location);
    await withScheduler(async (store) => {
      assert.equal(await holder(store, "kept"), "e1");
      await waitFor("expiry after restart", async () => (await store.getLease(NS, "kept"))?.status.ended);
      await waitFor("queued lease served", () => holder(store, "queued"));
    }, location);
  });
});
