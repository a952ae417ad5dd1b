/**
 * @module
 * Startup cost of `j`: wall time of `j power on` against a local exporter, next to `node -e 0` on the same
 * machine in the same run. Run after building: `node packages/cli/bench/startup.ts [runs]` (Node strips the
 * types; no build step for this file).
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ExporterSession, ExporterStatus, listenSession } from "@jumpstarter/core";
import { buildDriverTree, loadExporterConfigFile } from "@jumpstarter/cli";

const runs = Number(process.argv[2] ?? 15);
const jBin = fileURLToPath(new URL("../dist/bin/j.js", import.meta.url));
const demo = fileURLToPath(new URL("../../../examples/demo.yaml", import.meta.url));

/** Wall time of one run; asynchronous so the exporter in this process keeps answering. */
async function time(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const start = process.hrtime.bigint();
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (code !== 0) throw new Error(`${args.join(" ")} failed (${code}): ${stderr}`);
  return elapsed;
}

function summary(samples: number[]): { median: number; min: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)]!, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

const dir = await mkdtemp(join(tmpdir(), "jmp-startup-"));
const session = new ExporterSession({ root: await buildDriverTree(await loadExporterConfigFile(demo)) });
session.status.set(ExporterStatus.LEASE_READY);
const server = await listenSession(session, { address: `unix:${join(dir, "socket")}` });
try {
  const cache = join(dir, "compile-cache");
  const env = { ...process.env, JUMPSTARTER_HOST: join(dir, "socket"), JMP_DRIVERS_ALLOW: "UNSAFE", NODE_COMPILE_CACHE: cache };
  const cold = await time([jBin, "power", "on"], env);
  const rows: Array<[string, number[]]> = [
    ["node -e 0", []],
    ["j power on (compile cache warm)", []],
    ["j power on (no compile cache)", []],
  ];
  for (let run = 0; run < runs; run++) {
    rows[0]![1].push(await time(["-e", "0"], env));
    rows[1]![1].push(await time([jBin, "power", "on"], env));
    rows[2]![1].push(await time([jBin, "power", "on"], { ...env, NODE_DISABLE_COMPILE_CACHE: "1" }));
  }
  const baseline = summary(rows[0]![1]).median;
  console.log(`j startup, ${runs} runs each, Node ${process.version} (wall ms, median [min–max])`);
  console.log(`first run, empty compile cache: ${cold.toFixed(0)} ms`);
  for (const [name, samples] of rows) {
    const { median, min, max } = summary(samples);
    console.log(`${name.padEnd(34)} ${median.toFixed(0).padStart(5)} [${min.toFixed(0)}–${max.toFixed(0)}]  ${(median / baseline).toFixed(1)}× node -e 0`);
  }
} finally {
  await server.close();
  await session.close();
  await rm(dir, { recursive: true, force: true });
}
