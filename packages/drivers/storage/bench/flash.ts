/**
 * @module
 * Measures `flash` (and `dump`) of a large image through a real exporter session (gRPC over a unix socket,
 * resource stream, FileFlasher writing a regular file) against `cp` of the same file on the same disk.
 *
 * Build and run: `tsc -b packages/drivers/storage/bench && node packages/drivers/storage/bench/dist/flash.js [MiB] [runs]`
 * (defaults: 1024 MiB, 3 runs). Prints medians and the flash/cp ratio. Not a test.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { open, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { serve } from "@jumpstarter/core/testing";
import { FlasherClient } from "@jumpstarter/driver-storage";
import { FileFlasher } from "@jumpstarter/driver-storage/driver";

const run = promisify(execFile);
const sizeMiB = Number(process.argv[2] ?? 1024);
const runs = Number(process.argv[3] ?? 3);

async function writeImage(path: string, bytes: number): Promise<void> {
  const file = await open(path, "w");
  const block = randomBytes(16 * 1024 * 1024);
  try {
    for (let written = 0; written < bytes; written += block.length) {
      await file.write(block, 0, Math.min(block.length, bytes - written));
    }
  } finally {
    await file.close();
  }
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return (performance.now() - started) / 1000;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const directory = await mkdtemp(join(tmpdir(), "jmp-flash-bench-"));
try {
  const image = join(directory, "image.bin");
  const target = join(directory, "target.img");
  const bytes = sizeMiB * 1024 * 1024;
  await writeImage(image, bytes);
  const cpTimes: number[] = [];
  const flashTimes: number[] = [];
  const dumpTimes: number[] = [];
  const dumped = join(directory, "dump.img");
  await using served = await serve(new FileFlasher({ targets: { disk: target } }), { client: FlasherClient });
  for (let i = 0; i < runs; i++) {
    await rm(target, { force: true });
    cpTimes.push(await timed(() => run("cp", [image, target])));
    await rm(target, { force: true });
    flashTimes.push(await timed(() => served.client.flash(image)));
    const { stdout } = await run("cmp", [image, target]).catch((error: { stdout: string }) => error);
    if (stdout) throw new Error(`flashed target differs from the image: ${stdout}`);
    await rm(dumped, { force: true });
    dumpTimes.push(await timed(() => served.client.dump(dumped)));
  }
  const cp = median(cpTimes);
  const flash = median(flashTimes);
  const rate = (seconds: number) => (sizeMiB / seconds).toFixed(0);
  console.log(`image: ${sizeMiB} MiB, ${runs} runs, medians (node ${process.version})`);
  console.log(`cp:    ${cp.toFixed(2)} s  ${rate(cp)} MiB/s   runs: ${cpTimes.map((t) => t.toFixed(2)).join(" ")}`);
  console.log(`flash: ${flash.toFixed(2)} s  ${rate(flash)} MiB/s   runs: ${flashTimes.map((t) => t.toFixed(2)).join(" ")}`);
  const dump = median(dumpTimes);
  console.log(`dump:  ${dump.toFixed(2)} s  ${rate(dump)} MiB/s   runs: ${dumpTimes.map((t) => t.toFixed(2)).join(" ")}`);
  console.log(`flash / cp time: ${(flash / cp).toFixed(2)}x, dump / cp time: ${(dump / cp).toFixed(2)}x`);
} finally {
  await rm(directory, { recursive: true, force: true });
}
