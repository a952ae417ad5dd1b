/**
 * @module
 * Lease benchmarks on an in-process controller (SQLite in a temp dir, plaintext gRPC on 127.0.0.1):
 * 1. acquisition latency: CreateLease (a real gRPC call) until the store holds the lease with Ready=True, one
 *    lease at a time, each released before the next;
 * 2. leases granted per second: 100 registered, online exporters and 100 leases created at once, until all are
 *    Ready, in rounds.
 * Run after building: `node packages/controller/bench/leases.ts [latency-samples] [rounds]`.
 */
import { startHarness } from "../dist/testing/controller-harness.js";
import type { Harness, Identity } from "../dist/testing/controller-harness.js";
import { createLease, onlineExporter, shortName } from "../dist/testing/scenario.js";
import { fmt, machine, quantile, since } from "./stats.ts";

const samples = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 5);

/** Resolves when the lease's Ready condition is True in the store (watched, not polled). */
function readyInStore(h: Harness, name: string): Promise<void> {
  return new Promise<void>((resolve) => {
    const check = async () => {
      const lease = await h.store.getLease("default", name);
      if (lease?.status.conditions.some((c) => c.type === "Ready" && c.status === "True")) {
        stop();
        resolve();
      }
    };
    const stop = h.store.watch((event) => {
      if (event.kind === "lease" && event.name === name) void check();
    });
    void check();
  });
}

async function release(h: Harness, client: Identity, names: readonly string[]): Promise<void> {
  await Promise.all(names.map((name) => h.unary("client", "deleteLease", { name: `namespaces/default/leases/${name}` }, client)));
  for (;;) {
    const active = await h.store.listLeases("default", { onlyActive: true });
    if (active.items.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function latency(): Promise<number[]> {
  await using h = await startHarness({ schedulerResyncMs: 5000 });
  const { identity: client } = await h.addClient("bench");
  await onlineExporter(h, "latency-board", { bench: "latency" });
  const times: number[] = [];
  for (let i = 0; i < samples + 10; i++) {
    const name = `latency-${i}`;
    const start = process.hrtime.bigint();
    const ready = readyInStore(h, name);
    await createLease(h, client, { selector: "bench=latency", seconds: 600 }, name);
    await ready;
    if (i >= 10) times.push(since(start));
    await release(h, client, [name]);
  }
  return times;
}

async function throughput(): Promise<number[]> {
  await using h = await startHarness({ schedulerResyncMs: 5000 });
  const { identity: client } = await h.addClient("bench");
  for (let i = 0; i < 100; i++) await onlineExporter(h, `board-${String(i).padStart(3, "0")}`, { bench: "rate" });
  const rates: number[] = [];
  for (let round = 0; round < rounds + 1; round++) {
    const names = Array.from({ length: 100 }, (_, i) => `rate-${round}-${i}`);
    const start = process.hrtime.bigint();
    const ready = Promise.all(names.map((name) => readyInStore(h, name)));
    await Promise.all(names.map((name) => createLease(h, client, { selector: "bench=rate", seconds: 600 }, name)));
    await ready;
    const elapsed = since(start);
    if (round > 0) rates.push((100 / elapsed) * 1000);
    await release(h, client, names.map(shortName));
  }
  return rates;
}

const lat = await latency();
const rate = await throughput();
process.stdout.write(`machine: ${await machine()}\n`);
process.stdout.write(
  `lease acquisition latency (CreateLease → Ready, ${lat.length} leases): median ${fmt(quantile(lat, 0.5), 1)} ms, p95 ${fmt(quantile(lat, 0.95), 1)} ms, max ${fmt(Math.max(...lat), 1)} ms\n`,
);
process.stdout.write(
  `leases granted per second (100 exporters, 100 leases at once, ${rate.length} rounds): median ${fmt(quantile(rate, 0.5))}/s (min ${fmt(Math.min(...rate))}, max ${fmt(Math.max(...rate))})\n`,
);
