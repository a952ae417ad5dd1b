/**
 * @module
 * Our implementation: an {@link ExporterSession} serving {@link BenchDriver} (exporter process), driven through
 * the core client, `DriverClient.call` / `streamingCall` / `stream` (bench process).
 */
import { ExporterSession, ExporterStatus, connectExporter, listenSession, unsafeAllowlist } from "@jumpstarter/core";
import type { Duplex } from "node:stream";
import { BenchDriver } from "./bench-driver.js";
import { drain, readAll } from "./stream-io.js";
import type { BenchTarget } from "./workload.js";
import { downloadRequest } from "./workload.js";

/** Serves a bench session at `address`; resolves with the bound address. */
export async function startSessionServer(address: string): Promise<string> {
  const session = new ExporterSession({ root: new BenchDriver() });
  session.status.set(ExporterStatus.LEASE_READY, "Ready for commands");
  const server = await listenSession(session, { address });
  return server.address;
}

async function writeAll(stream: Duplex, bytes: number, chunk: Buffer): Promise<void> {
  for (let sent = 0; sent < bytes; sent += chunk.length) {
    if (!stream.write(chunk)) await drain(stream);
  }
  stream.end();
}

/** Connects the core client to a bench session. */
export async function connectSession(address: string): Promise<BenchTarget> {
  const handle = await connectExporter({ address }, { allowlist: unsafeAllowlist, genericFallback: true });
  const client = handle.root;
  const args = ["hello", 42];
  return {
    async unary() {
      await client.call("echo", args);
    },
    async streamingCall() {
      for await (const _item of client.streamingCall("read")) {
        // Drain every value.
      }
    },
    async upload(bytes, chunk) {
      const stream = await client.stream("sink");
      const received = readAll(stream);
      await writeAll(stream, bytes, chunk);
      await received;
    },
    async download(bytes) {
      const stream = await client.stream("source");
      const received = readAll(stream);
      stream.end(downloadRequest(bytes));
      return received;
    },
    async echo(bytes, chunk) {
      const stream = await client.stream("connect");
      const received = readAll(stream);
      await writeAll(stream, bytes, chunk);
      return received;
    },
    close: () => handle.close(),
  };
}
