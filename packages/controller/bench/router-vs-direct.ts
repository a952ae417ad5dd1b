/**
 * @module
 * Driver-call rate through the controller's router against the same exporter session reached directly over
 * its unix socket. The session, the controller (TLS, generated CA) and both tunnel ends run in this process,
 * like the reference's exporter and client: the exporter bridges each ListenResponse to its session socket, the
 * client Dials once per local connection. Calls are `greet("x")` (one unary DriverCall), sequential and with 16
 * in flight; then 64 MiB through an exportstream echo.
 * Run after building: `node packages/controller/bench/router-vs-direct.ts [calls]`.
 */
import { once } from "node:events";
import { join } from "node:path";
import { connectExporter, unsafeAllowlist } from "@jumpstarter/core";
import type { ExporterHandle } from "@jumpstarter/core";
import { startHarness } from "../dist/testing/controller-harness.js";
import { serveTunnelSession } from "../dist/testing/router-fixtures.js";
import { createLease, isReady, onlineExporter, shortName, waitForLease } from "../dist/testing/scenario.js";
import { bridgeListen, dialingSocket, TunnelPool } from "../dist/testing/tunnels.js";
import { fmt, machine, since } from "./stats.ts";

const calls = Number(process.argv[2] ?? 3000);
const LEASE_READY = 4;

async function callRate(handle: ExporterHandle, inFlight: number): Promise<number> {
  for (let i = 0; i < 200; i++) await handle.root.call("greet", ["warm-up"]);
  const start = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next++ < calls) await handle.root.call("greet", ["x"]);
    }),
  );
  return (calls / since(start)) * 1000;
}

/** Echo throughput: 64 MiB written with backpressure while the echo is read back. */
async function streamRate(handle: ExporterHandle): Promise<number> {
  const { stream } = await handle.connection.openStream({ kind: "driver", uuid: handle.report.reports[0]!.uuid, method: "connect" });
  const chunk = Buffer.alloc(64 * 1024, 1);
  const total = Number(process.env["BENCH_STREAM_MIB"] ?? 64) * 1024 * 1024;
  let received = 0;
  const start = process.hrtime.bigint();
  const echoed = new Promise<void>((resolve) =>
    stream.on("data", (data: Buffer) => {
      received += data.byteLength;
      if (received >= total) resolve();
    }),
  );
  for (let sent = 0; sent < total; sent += chunk.byteLength) if (!stream.write(chunk)) await once(stream, "drain");
  await echoed;
  const mibps = total / 2 ** 20 / (since(start) / 1000);
  stream.destroy();
  return mibps;
}

async function measure(handle: ExporterHandle): Promise<{ sequential: number; concurrent: number; stream: number }> {
  return { sequential: await callRate(handle, 1), concurrent: await callRate(handle, 16), stream: await streamRate(handle) };
}

await using h = await startHarness({}, { tls: true });
const tunnelSession = await serveTunnelSession(h.directory);
const sessionSocket = tunnelSession.socket;

const direct = await connectExporter({ address: `unix:${sessionSocket}` }, { allowlist: unsafeAllowlist, genericFallback: true });
const directResult = await measure(direct);
direct.close();

const { identity: client } = await h.addClient("bench");
const exporter = await onlineExporter(h, "bench-board", { bench: "router" });
const lease = shortName((await createLease(h, client, { selector: "bench=router" })).name);
await waitForLease(h, client, lease, isReady);
const pool = new TunnelPool({ ca: h.ca! });
const listen = h.stream("listen", { leaseName: lease }, exporter);
bridgeListen(listen, sessionSocket, pool);
await h.unary("controller", "reportStatus", { status: LEASE_READY, message: "" }, exporter);
while (h.controller.queues.size === 0) await new Promise((resolve) => setTimeout(resolve, 10));
const local = await dialingSocket(join(h.directory, "client.sock"), () => h.unary("controller", "dial", { leaseName: lease }, client), pool);
const routed = await connectExporter({ address: `unix:${join(h.directory, "client.sock")}` }, { allowlist: unsafeAllowlist, genericFallback: true });
const routedResult = await measure(routed);
routed.close();

local.close();
listen.cancel();
pool.close();
await tunnelSession.close();

process.stdout.write(`machine: ${await machine()}\n`);
process.stdout.write(`driver calls, ${calls} greet() each (one process: client, router, exporter session; router hops over TLS)\n`);
process.stdout.write(`| path | sequential calls/s | 16 in flight calls/s | exportstream echo MiB/s |\n|---|---|---|---|\n`);
for (const [name, result] of [["direct (unix socket)", directResult], ["through the router", routedResult]] as const) {
  process.stdout.write(`| ${name} | ${fmt(result.sequential)} | ${fmt(result.concurrent)} | ${fmt(result.stream, 1)} |\n`);
}
process.stdout.write(
  `router / direct: ${fmt(routedResult.sequential / directResult.sequential, 2)} sequential, ${fmt(routedResult.concurrent / directResult.concurrent, 2)} in flight, ${fmt(routedResult.stream / directResult.stream, 2)} stream\n`,
);
