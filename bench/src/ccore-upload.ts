#!/usr/bin/env node
/**
 * @module
 * `node bench/dist/ccore-upload.js [rounds]`: uploads through an exportstream driven by gRPC C-core (the
 * reference Python client's transport, Debian's python3-grpcio at /usr/bin/python3) into our exporter session
 * and into the bare grpc-js server, alternating, 256 MiB in 64 KiB frames each time. Shows what the exporter
 * side sustains when the client is not grpc-js.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { connectExporter, unsafeAllowlist } from "@jumpstarter/core";
import type { ServerHandle } from "./server-handle.js";
import { startServer } from "./server-handle.js";
import { CHUNK_SIZE } from "./workload.js";

const script = fileURLToPath(new URL("../python/ccore_upload.py", import.meta.url));
const python = "/usr/bin/python3";
const bytes = 256 * 1024 * 1024;
const rounds = Math.max(1, Number(process.argv[2] ?? 5));

function upload(server: ServerHandle, metadata: Record<string, string>, total = bytes): number {
  const result = spawnSync(python, [script, server.address, JSON.stringify(metadata), String(total), String(CHUNK_SIZE)], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`C-core upload failed: ${result.stderr.trim() || result.error?.message}`);
  return Number(result.stdout.trim());
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const directory = await mkdtemp(join(tmpdir(), "jumpstarter-ccore-"));
const session = await startServer("session", directory);
const grpc = await startServer("grpc", directory);
try {
  const handle = await connectExporter({ address: session.address }, { allowlist: unsafeAllowlist, genericFallback: true });
  const targets: Array<{ name: string; server: ServerHandle; metadata: Record<string, string> }> = [
    { name: "ours", server: session, metadata: { request: JSON.stringify({ kind: "driver", uuid: handle.root.uuid, method: "sink" }) } },
    { name: "grpc-js", server: grpc, metadata: { mode: "sink" } },
  ];
  for (const target of targets) upload(target.server, target.metadata, bytes / 4);
  const samples = new Map(targets.map((target) => [target.name, { rates: [] as number[], cpu: [] as number[] }]));
  for (let round = 0; round < rounds; round++) {
    for (const target of targets) {
      const before = await target.server.cpuMicros();
      const seconds = upload(target.server, target.metadata);
      const cpu = (await target.server.cpuMicros()) - before;
      samples.get(target.name)!.rates.push(bytes / seconds / 2 ** 20);
      samples.get(target.name)!.cpu.push(cpu / 1e6 / (bytes / 2 ** 30));
    }
  }
  handle.close();
  const ours = samples.get("ours")!;
  const baseline = samples.get("grpc-js")!;
  process.stdout.write(`C-core client, exportstream upload to sink, 256 MiB in 64 KiB frames, median of ${rounds} alternating rounds\n`);
  for (const [name, sample] of samples) {
    process.stdout.write(
      `${name.padEnd(8)} ${median(sample.rates).toFixed(0).padStart(5)} MiB/s (${((median(sample.rates) * 2 ** 20) / 1e6).toFixed(0)} MB/s)  exporter CPU ${median(sample.cpu).toFixed(2)} s/GiB  rounds: ${sample.rates.map((rate) => rate.toFixed(0)).join(" ")}\n`,
    );
  }
  process.stdout.write(`ours/grpc-js ${(median(ours.rates) / median(baseline.rates)).toFixed(2)}\n`);
} finally {
  await session.stop();
  await grpc.stop();
  await rm(directory, { recursive: true, force: true });
}
