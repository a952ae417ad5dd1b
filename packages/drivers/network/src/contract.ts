/**
 * @module
 * `@jumpstarter/driver-network/testing`: the contract every network driver passes, run through a real
 * exporter session against a real far end, plus the echo peers it uses.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { describe, it } from "node:test";
import type { Duplex } from "node:stream";
import { Code } from "@jumpstarter/core";
import type { Driver } from "@jumpstarter/core";
import { eventually, serve } from "@jumpstarter/core/testing";
import { NetworkClient } from "./client.js";
import type { NetworkPeer } from "./peers.js";
import { StreamReader } from "./stream-reader.js";

export { noPeer, startTcpEchoPeer, startUdpEchoPeer, startUnixEchoPeer, startWebsocketEchoPeer } from "./peers.js";
export type { HostPortPeer, NetworkPeer, UnixPeer, WebsocketPeer } from "./peers.js";
export { StreamReader } from "./stream-reader.js";

/** What a driver under contract promises beyond the basics. */
export interface NetworkContractOptions<P extends NetworkPeer> {
  /** Name of the suite. */
  readonly name: string;
  /** Expected `address()`; omit for drivers without one (the call must then fail with NOT_FOUND). */
  readonly address?: (peer: P) => string;
  /**
   * `stream` (default): ordered bytes, checked with an echo, half-close and bulk transfer. `datagram`:
   * no byte-stream guarantees, only message boundaries (UDP).
   */
  readonly transport?: "stream" | "datagram";
  /** Each write arrives as one message, so datagram mode must keep boundaries (UDP, websocket, echo). */
  readonly messages?: boolean;
  /**
   * The far end sees the client's end-of-stream while still sending (TCP, unix, echo). Without it
   * (websocket) ending closes the whole connection, so tests wait for echoes before ending.
   */
  readonly halfClose?: boolean;
  /** Bytes of the bulk echo transfer (64 MiB by default). */
  readonly bulkBytes?: number;
  /**
   * The driver is its own far end (`EchoNetwork`, with `noPeer`): nothing can be observed or sent from the
   * other side, so far-end checks are not registered.
   */
  readonly selfEcho?: boolean;
}

const generous = { timeout: 120_000 };

async function waitFor(events: NetworkPeer["events"], name: string): Promise<void> {
  if (events) await once(events, name);
}

/**
 * Registers the network contract for the driver `makeDriver` builds around the far end `makePeer` starts.
 * Tests that do not apply to a transport are not registered (see the options for why).
 */
export function runNetworkContract<P extends NetworkPeer, D extends Driver & { readonly openStreams?: number }>(
  makeDriver: (peer: P) => D,
  makePeer: () => Promise<P>,
  options: NetworkContractOptions<P>,
): void {
  const transport = options.transport ?? "stream";
  const start = async () => {
    const peer = await makePeer();
    const driver = makeDriver(peer);
    const served = await serve(driver, { client: NetworkClient });
    return { peer, driver, served, client: served.client, [Symbol.asyncDispose]: async () => { await served.close(); await peer.close(); } };
  };

  describe(`network contract: ${options.name}`, () => {
    it("reports the jumpstarter_driver_network client label", async () => {
      await using t = await start();
      assert.equal(t.client.clientLabel, "jumpstarter_driver_network.client.NetworkClient");
    });

    it(options.address ? "address() returns the service URL" : "address() is not exported", async () => {
      await using t = await start();
      if (options.address) assert.equal(await t.client.address(), options.address(t.peer));
      else await assert.rejects(t.client.address(), { code: Code.NOT_FOUND, message: /method address not found on driver/ });
    });

    if (transport === "stream") registerStreamTests(start, options);
    if (transport === "datagram" || options.messages) registerMessageTests(start, transport, !options.selfEcho);
  });
}

type Started<P extends NetworkPeer> = AsyncDisposable & {
  peer: P;
  driver: Driver & { readonly openStreams?: number };
  client: NetworkClient;
};

function registerStreamTests<P extends NetworkPeer>(start: () => Promise<Started<P>>, options: NetworkContractOptions<P>): void {
  const halfClose = options.halfClose ?? true;

  it("echoes bytes frame by frame", async () => {
    await using t = await start();
    const stream = await t.client.connect();
    const reader = new StreamReader(stream);
    for (const line of ["hello jumpstarter\n", "second frame\n"]) {
      stream.write(line);
      assert.equal((await reader.read(Buffer.byteLength(line))).toString(), line);
    }
    stream.end();
    assert.equal((await reader.readToEnd()).length, 0);
  });

  it(halfClose ? "half-close: client end → peer EOF → peer closes → client end" : "ending the stream closes the connection", generous, async () => {
    await using t = await start();
    const stream = await t.client.connect();
    const reader = new StreamReader(stream);
    const eof = waitFor(t.peer.events, "eof");
    const closed = once(stream, "close");
    stream.write("last words");
    if (!halfClose) assert.equal((await reader.read(10)).toString(), "last words");
    stream.end();
    await eof;
    assert.equal((await reader.readToEnd()).toString(), halfClose ? "last words" : "");
    await closed;
    if (t.peer.events) await eventually(() => t.peer.openConnections === 0, "the peer connection to close");
  });

  it("serves concurrent streams independently", generous, async () => {
    await using t = await start();
    const streams = await Promise.all([0, 1, 2].map(() => t.client.connect()));
    const readers = streams.map((stream) => new StreamReader(stream));
    streams.forEach((stream, index) => stream.write(`stream ${index} `.repeat(1000)));
    for (const [index, reader] of readers.entries()) {
      const expected = `stream ${index} `.repeat(1000);
      assert.equal((await reader.read(expected.length)).toString(), expected);
    }
    for (const stream of streams) stream.destroy();
  });

  it("dropping the client stream releases the connection on the exporter", generous, async () => {
    await using t = await start();
    const stream = await t.client.connect();
    const reader = new StreamReader(stream);
    stream.write("ping");
    await reader.read(4);
    if (t.peer.events) assert.equal(t.peer.openConnections, 1);
    stream.destroy();
    if (t.peer.events) await eventually(() => t.peer.openConnections === 0, "the peer connection to close");
    if (t.driver.openStreams !== undefined) await eventually(() => t.driver.openStreams === 0, "the driver to release its stream");
  });

  it(`echoes ${(options.bulkBytes ?? 64 * 1024 * 1024) / (1024 * 1024)} MiB byte-exact`, generous, async () => {
    await using t = await start();
    const total = options.bulkBytes ?? 64 * 1024 * 1024;
    const stream = await t.client.connect();
    const sent = createHash("sha256");
    const received = createHash("sha256");
    let receivedBytes = 0;
    let allEchoed: () => void = () => {};
    const echoed = new Promise<void>((resolve) => (allEchoed = resolve));
    stream.on("data", (chunk: Buffer) => {
      received.update(chunk);
      receivedBytes += chunk.length;
      if (receivedBytes >= total) allEchoed();
    });
    const ended = once(stream, "end");
    await writeRandom(stream, total, sent);
    if (!halfClose) await echoed;
    stream.end();
    await ended;
    assert.equal(receivedBytes, total);
    assert.equal(received.digest("hex"), sent.digest("hex"));
  });
}

async function writeRandom(stream: Duplex, total: number, hash: ReturnType<typeof createHash>): Promise<void> {
  const chunkSize = 256 * 1024;
  for (let written = 0; written < total; written += chunkSize) {
    const chunk = randomBytes(Math.min(chunkSize, total - written));
    hash.update(chunk);
    if (!stream.write(chunk)) await once(stream, "drain");
  }
}

/** The next `count` chunks of `stream`, or fewer if they do not come within a (generous) while. */
export async function collect(stream: Duplex, count: number): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve) => {
    const timer = setTimeout(finish, 20_000);
    function finish() {
      clearTimeout(timer);
      stream.off("data", onData);
      resolve();
    }
    function onData(chunk: Buffer) {
      chunks.push(chunk);
      if (chunks.length === count) finish();
    }
    stream.on("data", onData);
  });
  return chunks;
}

function registerMessageTests<P extends NetworkPeer>(start: () => Promise<Started<P>>, transport: "stream" | "datagram", farEnd: boolean): void {
  it("datagram mode keeps message boundaries one at a time", generous, async () => {
    await using t = await start();
    const stream = await t.client.connectDatagrams();
    const sizes = [1, 7, 100, 512, 1400, 3, 8000];
    for (const [index, size] of sizes.entries()) {
      const message = Buffer.alloc(size, 65 + index);
      stream.write(message);
      const [reply] = (await once(stream, "data")) as [Buffer];
      assert.deepEqual(reply, message);
    }
    stream.end();
    await once(stream, "end");
  });

  it("datagram mode keeps message boundaries in a burst", generous, async () => {
    await using t = await start();
    const stream = await t.client.connectDatagrams();
    const count = transport === "datagram" ? 200 : 2000;
    const messages = Array.from({ length: count }, (_, index) => Buffer.from(`message ${index} `.repeat(1 + (index % 5))));
    const replies = collect(stream, count);
    for (const message of messages) stream.write(message);
    assert.deepEqual((await replies).map(String), messages.map(String));
    stream.destroy();
  });

  if (!farEnd) return;
  it("datagram mode keeps message boundaries of a burst from the far end", generous, async () => {
    await using t = await start();
    const burst = t.peer.burst;
    assert.ok(burst, "a peer of a message transport must be able to send a burst");
    const stream = await t.client.connectDatagrams();
    stream.write("hello");
    await once(stream, "data");
    // A UDP burst larger than the receiving socket buffer would lose datagrams, so keep it small there.
    const count = transport === "datagram" ? 100 : 300;
    const messages = Array.from({ length: count }, (_, index) => Buffer.from(`burst ${index}|`.repeat(1 + (index % 7))));
    const replies = collect(stream, count);
    burst(messages);
    assert.deepEqual((await replies).map(String), messages.map(String));
    stream.destroy();
  });
}
