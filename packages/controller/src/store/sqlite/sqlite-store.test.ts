import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { runStoreContract } from "../contract.js";
import { openStore } from "../open-store.js";

const dir = mkdtempSync(join(tmpdir(), "jmp-sqlite-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;

describe("SQLite store", () => {
  runStoreContract(async () => join(dir, `state-${counter++}.db`));

  it("accepts the sqlite: prefix and uses WAL", async () => {
    const path = join(dir, "prefixed.db");
    const store = await openStore(`sqlite:${path}`);
    assert.equal(store.backend, "sqlite");
    await store.ensureKey("k", "v");
    await store.close();
    const { DatabaseSync } = await import("node:sqlite");
    const db = new DatabaseSync(path);
    assert.deepEqual({ ...(db.prepare("PRAGMA journal_mode").get() as object) }, { journal_mode: "wal" });
    db.close();
  });

  it("lets two stores on one file share state and the exporter lock", async () => {
    const path = join(dir, "shared.db");
    const one = await openStore(path);
    const two = await openStore(path);
    try {
      const a = await one.createLease({
        namespace: "lab", name: "a", labels: {},
        spec: { clientName: "c", selector: { matchLabels: {}, matchExpressions: [] }, durationMs: 1000, tags: {}, context: {}, allowDisabled: false, release: false },
        status: { ended: false, priority: 0, spotAccess: false, conditions: [] },
      });
      const b = await two.createLease({ ...a, name: "b" });
      assert.ok(await one.tryUpdateLease({ ...a, status: { ...a.status, exporterName: "e" } }));
      assert.equal(await two.tryUpdateLease({ ...b, status: { ...b.status, exporterName: "e" } }), undefined);
    } finally {
      await one.close();
      await two.close();
    }
  });
});
