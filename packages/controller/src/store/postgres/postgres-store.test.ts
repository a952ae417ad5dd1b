import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { runStoreContract, sampleLease } from "../contract.js";
import { openStore } from "../open-store.js";
import type { Store, StoreEvent } from "../store.js";
import { startPostgres } from "../testing/postgres-server.js";
import type { PostgresServer } from "../testing/postgres-server.js";

let server: PostgresServer | undefined;
before(async () => {
  server = await startPostgres();
});
after(() => server?.stop());

function database(): Promise<string> {
  if (!server) throw new Error("PostgreSQL test server did not start");
  return server.createDatabase();
}

function waitFor(events: StoreEvent[], predicate: (e: StoreEvent) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      if (events.some(predicate)) resolve();
      else if (Date.now() - started > 30_000) reject(new Error(`event never arrived; got ${JSON.stringify(events)}`));
      else setTimeout(poll, 10);
    };
    poll();
  });
}

describe("PostgreSQL store", () => {
  runStoreContract(database);

  it("migrates once: a second replica opens an existing schema", async () => {
    const url = await database();
    const [one, two] = await Promise.all([openStore(url), openStore(url)]);
    try {
      assert.equal(one.backend, "postgres");
      await one.createClient({ namespace: "lab", name: "a", labels: {} });
      assert.ok(await two.getClient("lab", "a"));
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  it("assigns an exporter to exactly one lease when two replicas race", async () => {
    const url = await database();
    const replicas: Store[] = [await openStore(url, { maxConnections: 4 }), await openStore(url, { maxConnections: 4 })];
    try {
      for (let round = 0; round < 20; round++) {
        const exporter = `e${round}`;
        const [a, b] = await Promise.all([
          replicas[0]!.createLease(sampleLease(`r${round}-a`)),
          replicas[1]!.createLease(sampleLease(`r${round}-b`)),
        ]);
        const results = await Promise.all([
          replicas[0]!.tryUpdateLease({ ...a, status: { ...a.status, exporterName: exporter } }),
          replicas[1]!.tryUpdateLease({ ...b, status: { ...b.status, exporterName: exporter } }),
        ]);
        assert.equal(results.filter((r) => r !== undefined).length, 1, `round ${round}: ${JSON.stringify(results.map((r) => r?.name))}`);
        const holders = await replicas[0]!.listLeases("lab", { exporterName: exporter, onlyActive: true });
        assert.equal(holders.items.length, 1);
      }
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
    }
  });

  it("tells other replicas about changes through LISTEN/NOTIFY", async () => {
    const url = await database();
    const one = await openStore(url);
    const two = await openStore(url);
    try {
      const heard: StoreEvent[] = [];
      two.watch((event) => heard.push(event));
      const lease = await one.createLease(sampleLease("l1"));
      await one.updateLease({ ...lease, status: { ...lease.status, exporterName: "e1" } });
      await waitFor(heard, (e) => e.kind === "exporter" && e.name === "e1");
      assert.deepEqual(heard.slice(0, 1), [{ kind: "lease", namespace: "lab", name: "l1", op: "put" }]);
      const own: StoreEvent[] = [];
      one.watch((event) => own.push(event));
      await one.deleteLease("lab", "l1");
      await waitFor(heard, (e) => e.op === "delete");
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(own.filter((e) => e.op === "delete").length, 1, "a replica does not hear its own change twice");
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  it("reports an unreachable server as an error", async () => {
    await assert.rejects(openStore("postgres://postgres@127.0.0.1:1/none"), /ECONNREFUSED/);
  });
});
