import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, it } from "node:test";
import { unsafeAllowlist } from "../client/allowlist.js";
import { connectExporter } from "../client/connect.js";
import { within } from "../testing/wait.js";

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const BOUND = 200 * MiB;

/**
 * The exporter, in its own process so its memory is its own: a driver that counts the bytes of a resource
 * and samples its process's memory every 8 MiB.
 */
const exporterSource = `
const [coreUrl, socket] = process.argv.slice(1);
const { Driver, exportMethod, ExporterSession, ExporterStatus, listenSession } = await import(coreUrl);
const MiB = 1024 * 1024;
class CountingSink extends Driver {
  client() { return "test.CountingSinkClient"; }
  async consume(handle) {
    globalThis.gc();
    const base = process.memoryUsage();
    const peak = { rss: base.rss, heap: base.heapUsed, buffers: base.arrayBuffers };
    const stream = await this.resource(handle);
    let bytes = 0;
    let next = 0;
    for await (const chunk of stream) {
      bytes += chunk.length;
      if (bytes < next) continue;
      next += 8 * MiB;
      const now = process.memoryUsage();
      peak.rss = Math.max(peak.rss, now.rss);
      peak.heap = Math.max(peak.heap, now.heapUsed);
      peak.buffers = Math.max(peak.buffers, now.arrayBuffers);
    }
    return { bytes, rss: peak.rss - base.rss, heap: peak.heap - base.heapUsed, buffers: peak.buffers - base.arrayBuffers };
  }
}
exportMethod(CountingSink.prototype, "consume", Object.getOwnPropertyDescriptor(CountingSink.prototype, "consume"));
const session = new ExporterSession({ root: new CountingSink() });
session.status.set(ExporterStatus.LEASE_READY, "Ready for commands");
const server = await listenSession(session, { address: socket });
process.stdout.write("ready\\n");
process.stdin.resume();
process.stdin.on("end", async () => {
  await session.close();
  await server.close();
  process.exit(0);
});
`;

/** `total` zero bytes in 64 KiB chunks, sampling this process's memory as it goes. */
function zeroes(total: number, onChunk: () => void): Readable {
  const chunk = Buffer.alloc(64 * 1024);
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      sent += chunk.length;
      if (sent % (8 * MiB) === 0) onChunk();
      this.push(chunk);
    },
  });
}

describe("large resource uploads", () => {
  it("streams 1 GiB to an exporter process without buffering it on either side", async () => {
    const directory = await mkdtemp(join(tmpdir(), "jumpstarter-large-"));
    const socket = join(directory, "socket");
    const coreUrl = new URL("../index.js", import.meta.url).href;
    const exporter = spawn(process.execPath, ["--expose-gc", "--input-type=module", "-e", exporterSource, coreUrl, socket], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    try {
      const [line] = (await within(once(exporter.stdout, "data"), "the exporter process to listen")) as [Buffer];
      assert.equal(line.toString().trim(), "ready");
      const handle = await connectExporter({ address: socket }, { allowlist: unsafeAllowlist, genericFallback: true });
      try {
        global.gc?.();
        const base = process.memoryUsage().rss;
        let peak = base;
        const source = zeroes(GiB, () => (peak = Math.max(peak, process.memoryUsage().rss)));
        const result = (await within(
          handle.root.withResource({ source }, (resource) => handle.root.call("consume", [resource])),
          "1 GiB to arrive",
          600_000,
        )) as { bytes: number; rss: number; heap: number; buffers: number };
        assert.equal(result.bytes, GiB);
        assert.ok(result.rss < BOUND, `exporter RSS grew by ${(result.rss / MiB).toFixed(0)} MiB`);
        assert.ok(result.heap < BOUND, `exporter heap grew by ${(result.heap / MiB).toFixed(0)} MiB`);
        assert.ok(result.buffers < BOUND, `exporter buffers grew by ${(result.buffers / MiB).toFixed(0)} MiB`);
        assert.ok(peak - base < BOUND, `client RSS grew by ${((peak - base) / MiB).toFixed(0)} MiB`);
      } finally {
        handle.close();
      }
      exporter.stdin.end();
      const [code] = (await within(once(exporter, "exit"), "the exporter process to exit")) as [number];
      assert.equal(code, 0);
    } finally {
      if (exporter.exitCode === null) exporter.kill();
      await rm(directory, { recursive: true, force: true });
    }
  });
});
