/**
 * @module
 * Controller memory with many connected exporters: a `jmp-controller` process (TLS, SQLite) and N simulated
 * exporters in this process, each on its own TLS connection (as separate exporter processes would be), each
 * doing Register, ReportStatus(AVAILABLE) and holding a Status stream. Reports the controller's RSS idle and with
 * all exporters connected, and its CPU use while they are connected (Status heartbeats every 10 s).
 * Run after building: `node packages/controller/bench/status-streams-rss.ts [exporters] [seconds]`.
 */
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Identities, openStore, readControllerInfo, TokenIssuer } from "@jumpstarter/controller";
import { controllerClients } from "../dist/testing/grpc-clients.js";
import type { ControllerClients, Identity } from "../dist/testing/grpc-clients.js";
import { startControllerProcess } from "../dist/testing/processes.js";
import { fmt, machine } from "./stats.ts";

const count = Number(process.argv[2] ?? 1000);
const seconds = Number(process.argv[3] ?? 30);
const AVAILABLE = 2;

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(match![1]) / 1024;
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const directory = await mkdtemp(join(tmpdir(), "jmp-bench-rss-"));
await mkdir(join(directory, "state"));
const database = join(directory, "state", "controller.db");
const store = await openStore(database);
const identities = new Identities(store, await TokenIssuer.open(store));
const exporters: Identity[] = [];
for (let i = 0; i < count; i++) {
  const name = `sim-${String(i).padStart(4, "0")}`;
  const { token } = await identities.createExporter("default", name, { labels: { bench: "rss" } });
  exporters.push({ token, kind: "Exporter", namespace: "default", name });
}
await store.close();

const proc = await startControllerProcess(["--database", database, "--listen", "127.0.0.1:0", "--log-level", "INFO"]);
const pid = proc.child.pid!;
const ca = (await readControllerInfo(join(directory, "state")))!.ca;
await new Promise((resolve) => setTimeout(resolve, 2000));
const idle = rssMiB(pid);

const connections: ControllerClients[] = [];
const streams: grpc.ClientReadableStream<unknown>[] = [];
let firstStatus = 0;
const connectStart = Date.now();
const queue = [...exporters];
await Promise.all(
  Array.from({ length: 32 }, async () => {
    for (let exporter = queue.shift(); exporter; exporter = queue.shift()) {
      const clients = controllerClients(`localhost:${proc.address.split(":").pop()}`, grpc.credentials.createSsl(Buffer.from(ca)), { "grpc.use_local_subchannel_pool": 1 });
      connections.push(clients);
      await clients.unary("controller", "register", { labels: {}, reports: [{ uuid: crypto.randomUUID(), labels: {} }] }, exporter);
      await clients.unary("controller", "reportStatus", { status: AVAILABLE, message: "" }, exporter);
      const stream = clients.stream("status", {}, exporter);
      await new Promise<void>((resolve) => stream.once("data", () => resolve()));
      firstStatus++;
      streams.push(stream);
    }
  }),
);
const connectSeconds = (Date.now() - connectStart) / 1000;
await new Promise((resolve) => setTimeout(resolve, 5000));
const connected = rssMiB(pid);
const cpuBefore = cpuSeconds(pid);
let peak = connected;
const timeline: number[] = [];
for (let s = 1; s <= seconds; s++) {
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const rss = rssMiB(pid);
  peak = Math.max(peak, rss);
  if (s % 10 === 0) timeline.push(rss);
}
const cpu = (cpuSeconds(pid) - cpuBefore) / seconds;
const after = rssMiB(pid);

for (const stream of streams) stream.cancel();
for (const clients of connections) clients.close();
await proc.stop();
await rm(directory, { recursive: true, force: true });

process.stdout.write(`machine: ${await machine()}\n`);
process.stdout.write(`${fmt(firstStatus)} simulated exporters connected (TLS, Register + ReportStatus + Status stream each) in ${fmt(connectSeconds, 1)} s\n`);
process.stdout.write(
  `controller RSS: idle ${fmt(idle, 1)} MiB; with ${fmt(count)} exporters ${fmt(connected, 1)} MiB (${fmt(((connected - idle) * 1024) / count, 1)} KiB each), after ${seconds} s ${fmt(after, 1)} MiB, peak ${fmt(peak, 1)} MiB\n`,
);
process.stdout.write(`controller RSS every 10 s while connected: ${timeline.map((value) => fmt(value)).join(", ")} MiB\n`);
process.stdout.write(`controller CPU while connected (heartbeats every 10 s): ${fmt(cpu * 100, 1)}% of one core\n`);
