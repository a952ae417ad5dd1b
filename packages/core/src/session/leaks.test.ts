import assert from "node:assert/strict";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import type { Duplex } from "node:stream";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { ExporterConnection } from "../client/connection.js";
import { exportMethod, exportstream } from "../driver/decorators.js";
import { Driver } from "../driver/driver.js";
import { serve } from "../testing/serve.js";
import { within } from "../testing/wait.js";
import { callSignal } from "./call-context.js";
import { listenSession } from "./server.js";
import { ExporterSession } from "./session.js";

class Busy extends Driver {
  port = 0;
  hanging = 0;
  client() {
    return "test.BusyClient";
  }
  @exportMethod
  ping() {
    return "pong";
  }
  @exportMethod
  async *forever() {
    for (let i = 0; ; i++) {
      yield i;
      await sleep(5, undefined, { signal: callSignal() }).catch(() => {});
      if (callSignal().aborted) return;
    }
  }
  @exportMethod
  async consume(handle: unknown) {
    let bytes = 0;
    for await (const chunk of await this.resource(handle)) bytes += (chunk as Buffer).length;
    return bytes;
  }
  @exportMethod
  async hang() {
    this.hanging++;
    await new Promise((resolve) => callSignal().addEventListener("abort", resolve, { once: true }));
  }
  @exportstream
  async connect(): Promise<Duplex> {
    const { connect } = await import("node:net");
    const socket = connect(this.port, "127.0.0.1");
    await once(socket, "connect");
    return socket;
  }
}

/** Counts of active handle/request kinds (TCPWRAP, PipeWrap, Timeout…). */
function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

/** Waits until no kind of resource is more numerous than in `baseline`, then reports any excess left. */
async function excessOver(baseline: Map<string, number>): Promise<Record<string, number>> {
  let excess: Record<string, number> = {};
  for (let attempt = 0; attempt < 300; attempt++) {
    excess = {};
    for (const [kind, count] of activeResources()) {
      const extra = count - (baseline.get(kind) ?? 0);
      if (extra > 0) excess[kind] = extra;
    }
    if (Object.keys(excess).length === 0) return excess;
    await sleep(20);
  }
  return excess;
}

/** One serve() with every kind of call, some left open or cancelled, then closed. */
async function exercise(echoPort: number, leaveOpen: boolean): Promise<string> {
  const driver = new Busy();
  driver.port = echoPort;
  const served = await serve(driver);
  const socketPath = served.server.address.slice("unix:".length);
  assert.ok(existsSync(socketPath));
  assert.equal(await served.client.call("ping"), "pong");
  const ticks = served.client.streamingCall("forever");
  await ticks.next();
  await ticks.next();
  await ticks.return(undefined);
  const stream = await served.client.stream("connect");
  stream.write("x");
  await once(stream, "data");
  const bytes = await served.client.withResource({ source: Readable.from([Buffer.alloc(100_000)]) }, (handle) =>
    served.client.call("consume", [handle]),
  );
  assert.equal(bytes, 100_000);
  const stopLogs = new AbortController();
  const firstLog = served.connection.logStream({ signal: stopLogs.signal }).next();
  await within(
    (async () => {
      while (!served.session.logs.active) await sleep(5);
    })(),
    "the log stream to start",
  );
  if (leaveOpen) {
    const hung = served.client.call("hang").catch(() => {});
    const ticking = served.client.streamingCall("forever");
    await ticking.next();
    void ticking.next().catch(() => {});
    await within(
      (async () => {
        while (driver.hanging === 0) await sleep(5);
      })(),
      "the hanging call to start",
    );
    void hung;
  } else {
    stream.destroy();
    stopLogs.abort();
  }
  await served.close();
  await within(firstLog, "the log stream to end");
  return socketPath;
}

describe("no leaks after closing", () => {
  it("leaves no handles, timers or socket files behind, even with calls and streams still open at close", async () => {
    const echo = createServer((socket) => socket.pipe(socket));
    echo.listen(0, "127.0.0.1");
    await once(echo, "listening");
    const port = (echo.address() as AddressInfo).port;
    // A first round lets lazily created process-wide resources (and node:test's own) exist in the baseline.
    await exercise(port, false);
    await sleep(50);
    const baseline = activeResources();
    for (const leaveOpen of [false, true, false]) {
      const socketPath = await exercise(port, leaveOpen);
      assert.equal(existsSync(socketPath), false, "the unix socket file is removed");
      assert.equal(existsSync(dirname(socketPath)), false, "serve()'s temporary directory is removed");
    }
    assert.deepEqual(await excessOver(baseline), {}, "resources left after closing");
    echo.close();
  });

  it("closes a bare listenSession: socket file removed, clients refused, close is idempotent", async () => {
    const directory = await mkdtemp(join(tmpdir(), "jumpstarter-leak-"));
    const baseline = activeResources();
    const session = new ExporterSession({ root: new Busy() });
    const server = await listenSession(session, { address: join(directory, "socket") });
    assert.equal(server.address, `unix:${join(directory, "socket")}`);
    const connection = new ExporterConnection({ address: server.address });
    await connection.getReport();
    const pending = connection
      .logStream()
      .next()
      .catch(() => undefined);
    await within(
      (async () => {
        while (!session.logs.active) await sleep(5);
      })(),
      "the log stream to start",
    );
    await session.close();
    await Promise.all([server.close(), server.close()]);
    await within(pending, "the log stream to end");
    assert.equal(existsSync(join(directory, "socket")), false);
    await assert.rejects(connection.getReport({ timeoutMs: 2000 }));
    connection.close();
    assert.deepEqual(await excessOver(baseline), {}, "resources left after closing");
    await rm(directory, { recursive: true, force: true });
  });
});
