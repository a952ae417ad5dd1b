/**
 * @module
 * The five measurements, each timed together with the CPU the server process and the bench process spent.
 */
import type { ServerHandle } from "./server-handle.js";
import type { BenchTarget, Workload } from "./workload.js";
import { CHUNK_SIZE, IN_FLIGHT } from "./workload.js";

/** What one measurement counts: calls, or bytes (sent one way). */
export type OpUnit = "calls" | "bytes";

/** One of the benchmark rows. */
export interface Metric {
  readonly id: string;
  readonly label: string;
  readonly unit: OpUnit;
  /** Runs the operation; resolves with how many calls or bytes it covered. */
  run(target: BenchTarget, workload: Workload): Promise<number>;
}

/** A timed run of one metric on one target. */
export interface Sample {
  readonly ops: number;
  readonly seconds: number;
  readonly serverMicros: number;
  readonly clientMicros: number;
}

const chunk = Buffer.alloc(CHUNK_SIZE, 0x5a);

async function sequential(count: number, call: () => Promise<void>): Promise<number> {
  for (let i = 0; i < count; i++) await call();
  return count;
}

async function concurrent(count: number, inFlight: number, call: () => Promise<void>): Promise<number> {
  let started = 0;
  const worker = async () => {
    while (started < count) {
      started++;
      await call();
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return count;
}

/** Every row, in report order. */
export const metrics: readonly Metric[] = [
  {
    id: "unary_sequential",
    label: "unary calls, sequential",
    unit: "calls",
    run: (target, workload) => sequential(workload.sequentialCalls, () => target.unary()),
  },
  {
    id: "unary_concurrent",
    label: `unary calls, ${IN_FLIGHT} in flight`,
    unit: "calls",
    run: (target, workload) => concurrent(workload.concurrentCalls, IN_FLIGHT, () => target.unary()),
  },
  {
    id: "streaming_calls",
    label: "streaming calls, sequential",
    unit: "calls",
    run: (target, workload) => sequential(workload.streamingCalls, () => target.streamingCall()),
  },
  {
    id: "stream_upload",
    label: "exportstream upload to sink",
    unit: "bytes",
    run: async (target, workload) => {
      await target.upload(workload.streamBytes, chunk);
      return workload.streamBytes;
    },
  },
  {
    id: "stream_download",
    label: "exportstream download from source",
    unit: "bytes",
    run: async (target, workload) => {
      const received = await target.download(workload.streamBytes);
      if (received !== workload.streamBytes) throw new Error(`download returned ${received} of ${workload.streamBytes} bytes`);
      return workload.streamBytes;
    },
  },
  {
    id: "stream_echo",
    label: "exportstream echo",
    unit: "bytes",
    run: async (target, workload) => {
      const received = await target.echo(workload.streamBytes, chunk);
      if (received !== workload.streamBytes) throw new Error(`echo returned ${received} of ${workload.streamBytes} bytes`);
      return workload.streamBytes;
    },
  },
];

/** Warms the JIT on every path of `target` before anything is timed. */
export async function warmUp(target: BenchTarget, workload: Workload): Promise<void> {
  await sequential(workload.warmupCalls, () => target.unary());
  await concurrent(workload.warmupCalls, IN_FLIGHT, () => target.unary());
  await sequential(Math.ceil(workload.warmupCalls / 4), () => target.streamingCall());
  const bytes = Math.max(CHUNK_SIZE, Math.floor(workload.streamBytes / 8 / CHUNK_SIZE) * CHUNK_SIZE);
  await target.upload(bytes, chunk);
  await target.download(bytes);
  await target.echo(bytes, chunk);
}

function cpuMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

/** Runs `metric` once on `target`, measuring wall time and both processes' CPU time. */
export async function measure(metric: Metric, target: BenchTarget, server: ServerHandle, workload: Workload): Promise<Sample> {
  const serverBefore = await server.cpuMicros();
  const clientBefore = cpuMicros();
  const start = performance.now();
  const ops = await metric.run(target, workload);
  const seconds = (performance.now() - start) / 1000;
  const clientMicros = cpuMicros() - clientBefore;
  const serverMicros = (await server.cpuMicros()) - serverBefore;
  return { ops, seconds, serverMicros, clientMicros };
}
