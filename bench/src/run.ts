#!/usr/bin/env node
/**
 * @module
 * `node bench/dist/run.js [--quick] [--json] [--repeats N]`: starts one server process per target (our exporter
 * session, bare grpc-js, bare unix socket), runs every metric against each, interleaved, and prints the
 * medians side by side with ratios and the exporter's CPU per operation.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { connectGrpc } from "./grpc-target.js";
import type { Sample } from "./measure.js";
import { measure, metrics, warmUp } from "./measure.js";
import type { Report, ReportRow } from "./report.js";
import { formatReport, summarise } from "./report.js";
import type { ServerHandle } from "./server-handle.js";
import { startServer } from "./server-handle.js";
import { connectSession } from "./session-target.js";
import { connectSocket } from "./socket-target.js";
import type { BenchTarget, TargetKind } from "./workload.js";
import { fullWorkload, quickWorkload } from "./workload.js";

const kinds: readonly TargetKind[] = ["session", "grpc", "socket"];
const connectors: Record<TargetKind, (address: string) => Promise<BenchTarget>> = {
  session: connectSession,
  grpc: connectGrpc,
  socket: connectSocket,
};

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    repeats: { type: "string" },
  },
});
const base = values.quick ? quickWorkload : fullWorkload;
const workload = { ...base, repeats: values.repeats !== undefined ? Math.max(1, Number(values.repeats)) : base.repeats };

const log = (line: string) => {
  if (!values.json) process.stderr.write(`${line}\n`);
};

const directory = await mkdtemp(join(tmpdir(), "jumpstarter-bench-"));
const servers = new Map<TargetKind, ServerHandle>();
const targets = new Map<TargetKind, BenchTarget>();
try {
  for (const kind of kinds) {
    const server = await startServer(kind, directory);
    servers.set(kind, server);
    targets.set(kind, await connectors[kind](server.address));
  }
  for (const kind of kinds) {
    log(`warming up ${kind}`);
    await warmUp(targets.get(kind)!, workload);
  }
  const samples = new Map(metrics.map((metric) => [metric.id, { session: [] as Sample[], grpc: [] as Sample[], socket: [] as Sample[] }]));
  for (let run = 0; run < workload.repeats; run++) {
    for (const metric of metrics) {
      for (const kind of kinds) {
        log(`run ${run + 1}/${workload.repeats}: ${metric.label} on ${kind}`);
        samples.get(metric.id)![kind].push(await measure(metric, targets.get(kind)!, servers.get(kind)!, workload));
      }
    }
  }
  const rows: ReportRow[] = metrics.map((metric) => summarise(metric, samples.get(metric.id)!));
  const report: Report = {
    machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? "unknown CPU"}`,
    node: process.version,
    quick: values.quick,
    repeats: workload.repeats,
    rows,
  };
  process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : `${formatReport(report)}\n`);
} finally {
  for (const target of targets.values()) target.close();
  await Promise.all([...servers.values()].map((server) => server.stop()));
  await rm(directory, { recursive: true, force: true });
}
