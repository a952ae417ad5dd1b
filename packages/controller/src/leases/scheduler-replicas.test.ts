import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { openStore } from "../store/open-store.js";
import type { LeaseRecord } from "../store/store.js";
import { startPostgres } from "../store/testing/postgres-server.js";
import type { PostgresServer } from "../store/testing/postgres-server.js";
import { newLeaseRecord } from "./new-lease.js";
import { LeaseScheduler } from "./scheduler.js";
import { parseSelector } from "./selector.js";

const NS = "lab";
let server: PostgresServer | undefined;
before(async () => {
  server = await startPostgres();
});
after(() => server?.stop());

describe("LeaseScheduler on two replicas sharing PostgreSQL", () => {
  it("serves every lease without ever giving one exporter to two leases at once", async () => {
    if (!server) throw new Error("PostgreSQL test server did not start");
    const url = await server.createDatabase();
    const stores = [await openStore(url, { maxConnections: 4 }), await openStore(url, { maxConnections: 4 })];
    const schedulers = stores.map((store) => new LeaseScheduler(store, { namespace: NS, resyncMs: 250 }));
    const [one, two] = stores as [(typeof stores)[0], (typeof stores)[0]];
    try {
      for (const name of ["e1", "e2", "e3"]) {
        await one.createExporter({ namespace: NS, name, labels: { pool: "p" }, enabled: true, devices: [], status: "Available", statusMessage: "", lastSeen: new Date() });
      }
      for (const scheduler of schedulers) scheduler.start();
      for (let i = 0; i < 12; i++) {
        const target = i % 2 === 0 ? one : two;
        await target.createLease(newLeaseRecord({ namespace: NS, name: `l${String(i).padStart(2, "0")}`, clientName: "c", selector: parseSelector("pool=p"), durationMs: 300 }));
      }
      const deadline = Date.now() + 60_000;
      let leases: readonly LeaseRecord[] = [];
      for (;;) {
        leases = (await one.listLeases(NS)).items;
        if (leases.every((lease) => lease.status.ended)) break;
        if (Date.now() > deadline) throw new Error(`leases never all ended: ${leases.filter((l) => !l.status.ended).map((l) => l.name)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal(leases.length, 12);
      const byExporter = new Map<string, LeaseRecord[]>();
      for (const lease of leases) {
        assert.ok(lease.status.exporterName, `${lease.name} was never served`);
        assert.ok(lease.status.beginTime && lease.status.endTime);
        byExporter.set(lease.status.exporterName, [...(byExporter.get(lease.status.exporterName) ?? []), lease]);
      }
      for (const [exporter, held] of byExporter) {
        const sorted = [...held].sort((a, b) => a.status.beginTime!.getTime() - b.status.beginTime!.getTime());
        for (let i = 1; i < sorted.length; i++) {
          assert.ok(
            sorted[i]!.status.beginTime!.getTime() >= sorted[i - 1]!.status.endTime!.getTime(),
            `${exporter}: ${sorted[i]!.name} began before ${sorted[i - 1]!.name} ended`,
          );
        }
      }
    } finally {
      await Promise.all(schedulers.map((scheduler) => scheduler.stop()));
      await Promise.all(stores.map((store) => store.close()));
    }
  });
});
