/*
 * GrpcClient through real sockets, calls that succeed: bidi echo with metadata both ways against GrpcServer,
 * codecs that send and receive messages in parts, a 32 MiB echo and a cancellation against grpc-js's server,
 * backpressure towards a server that floods a client that does not read, multiplexing, and TLS.
 * (Failures, deadlines, keepalive and closing are in client-errors.test.ts.)
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import type { StatusObject } from "@grpc/grpc-js";
import type { BidiCall } from "./calls.js";
import type { ClientBidiCall, ClientCodec } from "./client.js";
import { GrpcClient } from "./client.js";
import { GrpcServer } from "./server.js";
import { selfSignedCertificate } from "./testing.js";
import type { Outcome } from "./test-support.js";
import { BYTES_BIDI, bytesCodec, delay, metadataOf, outcome, serveForSuite, testService, within } from "./test-support.js";

const { status: Status } = grpc;
const MiB = 1024 * 1024;
/** Message `i` of a large transfer: its index first and last, a pattern that depends on it in between. */
function block(i: number, size: number): Buffer {
  const buffer = Buffer.alloc(size, (i * 37 + 11) & 0xff);
  buffer.writeUInt32BE(i, 0);
  buffer.writeUInt32BE((i ^ 0xa5a5a5a5) >>> 0, size - 4);
  return buffer;
}

/** Writes `count` blocks of `size` bytes honouring backpressure, then half-closes; resolves with their hash. */
async function upload(call: ClientBidiCall, count: number, size: number): Promise<string> {
  const hash = createHash("sha256");
  for (let i = 0; i < count; i++) {
    const chunk = block(i, size);
    hash.update(chunk);
    if (!call.write(chunk)) await once(call, "drain");
  }
  call.end();
  return hash.digest("hex");
}

/** Hashes what `call` receives and checks that block i arrives i-th, whole. */
function download(call: ClientBidiCall, size: number): { readonly count: () => number; readonly inOrder: () => boolean; readonly digest: () => string } {
  const hash = createHash("sha256");
  let count = 0;
  let inOrder = true;
  call.on("data", (message: Buffer) => {
    if (message.length !== size || message.readUInt32BE(0) !== count || message.readUInt32BE(size - 4) !== (count ^ 0xa5a5a5a5) >>> 0) inOrder = false;
    hash.update(message);
    count++;
  });
  return { count: () => count, inOrder: () => inOrder, digest: () => hash.digest("hex") };
}

// ---- GrpcServer handlers, chosen by the call's x-mode metadata ----

const FLOOD_MESSAGE = 256 * 1024;
const FLOOD_TOTAL = 64 * MiB;

/** Server-side observations, by the x-id a call carried. */
const seen = new Map<string, { readonly call: BidiCall; readonly received: Buffer[] }>();
/** Bytes the flood handler's writes handed off (write callbacks that ran). */
let flooded = 0;
/** Calls waiting for the barrier (all of them arrived) before they echo. */
const barrier: Array<() => void> = [];
const BARRIER_CALLS = 20;
/** Peers (host:port) of the calls that went through the barrier. */
const barrierPeers = new Set<string>();

function echo(call: BidiCall, received: Buffer[]): void {
  call.on("data", (message: Buffer) => {
    received.push(message);
    call.write(message);
  });
  call.on("end", () => call.end(metadataOf({ "x-trailer": "bye", "x-trailer-bin": Buffer.from([0xff, 0x00, 0x10]) })));
}

async function flood(call: BidiCall): Promise<void> {
  for (let i = 0; i < FLOOD_TOTAL / FLOOD_MESSAGE; i++) {
    if (!call.write(block(i, FLOOD_MESSAGE), () => (flooded += FLOOD_MESSAGE))) await once(call, "drain");
  }
  call.end();
}

const handlers = {
  bytesBidi(call: BidiCall) {
    const mode = String(call.metadata.get("x-mode")[0] ?? "echo");
    const received: Buffer[] = [];
    seen.set(String(call.metadata.get("x-id")[0]), { call, received });
    if (mode === "echo") {
      call.sendMetadata(metadataOf({ "x-reply": "early", "x-reply-bin": Buffer.from([9, 8, 7]) }));
      echo(call, received);
    } else if (mode === "flood") {
      flood(call).catch(() => {});
    } else if (mode === "barrier") {
      barrierPeers.add(call.getPeer());
      barrier.push(() => echo(call, received));
      if (barrier.length === BARRIER_CALLS) for (const release of barrier.splice(0)) release();
    }
  },
};

describe("GrpcClient against GrpcServer over a unix socket", () => {
  const served = serveForSuite(handlers);
  let client: GrpcClient;
  before(() => (client = new GrpcClient({ address: served.fixture.address })));
  after(() => client.close());

  it("echoes messages both ways in order, with request, response-header and trailer metadata", async () => {
    const call = client.bidi(
      BYTES_BIDI,
      bytesCodec,
      metadataOf({ "x-id": "echo", "x-text": "hello", "x-data-bin": Buffer.from([0, 1, 2, 0xff]) }),
    );
    const done = outcome(call);
    const sent = [Buffer.from("first"), Buffer.alloc(0), Buffer.from("third"), Buffer.alloc(40_000, 7), Buffer.from("last")];
    call.write(sent[0]);
    // The server answers before the client half-closes: a real bidi exchange, not a batch.
    const [first] = (await within(5000, "the first echo", once(call, "data"))) as [Buffer];
    assert.deepEqual(first, sent[0]);
    for (const message of sent.slice(1)) call.write(message);
    call.end();
    const result = await within(10_000, "the call to end", done);

    assert.equal(result.error, undefined, result.error?.message);
    assert.equal(result.status.code, Status.OK);
    assert.deepEqual(result.messages, sent);
    assert.deepEqual(result.events.slice(-2).sort(), ["end", "status"]);
    assert.equal(result.events[0], "metadata", "response headers come before the status");

    const observed = seen.get("echo");
    assert.ok(observed, "the handler ran");
    assert.deepEqual(observed.received, sent, "the server received every message in order");
    assert.deepEqual(observed.call.metadata.get("x-text"), ["hello"]);
    assert.deepEqual(observed.call.metadata.get("x-data-bin"), [Buffer.from([0, 1, 2, 0xff])]);

    assert.ok(result.headers, "a metadata event");
    assert.deepEqual(result.headers.get("x-reply"), ["early"]);
    assert.deepEqual(result.headers.get("x-reply-bin"), [Buffer.from([9, 8, 7])]);
    assert.deepEqual(result.headers.get("content-type"), [], "transport headers are not metadata");
    assert.deepEqual(result.status.metadata.get("x-trailer"), ["bye"]);
    assert.deepEqual(result.status.metadata.get("x-trailer-bin"), [Buffer.from([0xff, 0x00, 0x10])]);
    assert.deepEqual(result.status.metadata.get("grpc-status"), []);
    assert.equal(call.getPeer(), served.fixture.address);
  });

  it("sends a message given as parts (serializeParts) that arrives joined and identical", async () => {
    const parts = [Buffer.from("head:"), Buffer.alloc(100_000, 0x5a), Buffer.from(":tail")];
    let serialized = 0;
    const codec: ClientCodec = {
      serialize: () => assert.fail("serializeParts is preferred when present"),
      serializeParts: (message: readonly Buffer[]) => {
        serialized++;
        return message;
      },
      deserialize: (bytes: Buffer) => bytes,
    };
    const call = client.bidi(BYTES_BIDI, codec, metadataOf({ "x-id": "parts-out" }));
    const done = outcome(call);
    call.write(parts);
    call.end();
    const result = await within(10_000, "the call to end", done);
    assert.equal(result.status.code, Status.OK, result.status.details);
    assert.equal(serialized, 1);
    assert.deepEqual(seen.get("parts-out")?.received, [Buffer.concat(parts)]);
    assert.deepEqual(result.messages, [Buffer.concat(parts)]);
  });

  it("hands a 1 MiB message that arrived in several DATA frames to deserializeParts, a small one to deserialize", async () => {
    type Decoded = { readonly via: "whole" | "parts"; readonly parts: readonly Buffer[] };
    const codec: ClientCodec = {
      serialize: (bytes: Buffer) => bytes,
      deserialize: (bytes: Buffer): Decoded => ({ via: "whole", parts: [bytes] }),
      deserializeParts: (parts: readonly Buffer[]): Decoded => ({ via: "parts", parts: [...parts] }),
    };
    const big = Buffer.alloc(MiB);
    for (let i = 0; i < big.length; i += 4) big.writeUInt32BE(i, i);
    const small = Buffer.from("small");
    const call = client.bidi(BYTES_BIDI, codec, metadataOf({ "x-id": "parts-in" }));
    const done = outcome<Decoded>(call);
    call.write(big);
    call.write(small);
    call.end();
    const result = await within(10_000, "the call to end", done);
    assert.equal(result.status.code, Status.OK, result.status.details);
    const [bigOut, smallOut] = result.messages;
    assert.ok(bigOut && smallOut && result.messages.length === 2, `two messages, got ${result.messages.length}`);
    assert.equal(bigOut.via, "parts");
    assert.ok(bigOut.parts.length > 1, `the 1 MiB message came in ${bigOut.parts.length} parts`);
    assert.ok(Buffer.concat(bigOut.parts).equals(big), "the parts join to the message sent");
    assert.equal(smallOut.via, "whole");
    assert.deepEqual(smallOut.parts, [small]);
  });

  it("holds a flooding server back while the client does not read, then delivers all 64 MiB in order", { timeout: 120_000 }, async () => {
    flooded = 0;
    const call = client.bidi(BYTES_BIDI, bytesCodec, metadataOf({ "x-id": "flood", "x-mode": "flood" }));
    call.end();
    let status: StatusObject | undefined;
    call.on("status", (value: StatusObject) => (status = value));
    call.on("error", () => {});
    // No data listener: the call is paused. The handler's handed-off bytes must level off.
    let last = -1;
    let stable = 0;
    const stalledBy = Date.now() + 60_000;
    while (stable < 5) {
      assert.ok(Date.now() < stalledBy, `the server never stalled (${flooded} bytes handed off)`);
      await delay(50);
      if (flooded === last && flooded > 0) stable++;
      else stable = 0;
      last = flooded;
    }
    // The client's stream window (8 MiB), what its 16-message readable buffer released, and server-side queues.
    assert.ok(flooded < 24 * MiB, `the server handed off ${flooded / MiB} MiB to a client that reads nothing`);
    assert.equal(status, undefined, "the call is still open");

    const received = download(call, FLOOD_MESSAGE);
    const done = outcome(call);
    const result = await within(100_000, "the flood to be received", done);
    assert.equal(result.status.code, Status.OK, result.status.details);
    assert.equal(received.count(), FLOOD_TOTAL / FLOOD_MESSAGE);
    assert.ok(received.inOrder(), "every message arrived whole and in order");
    const expected = createHash("sha256");
    for (let i = 0; i < FLOOD_TOTAL / FLOOD_MESSAGE; i++) expected.update(block(i, FLOOD_MESSAGE));
    assert.equal(received.digest(), expected.digest("hex"));
    assert.equal(flooded, FLOOD_TOTAL);
  });
});

describe("GrpcClient multiplexing over TCP", () => {
  let server: GrpcServer;
  let address: string;
  before(async () => {
    server = new GrpcServer();
    server.addService(testService, handlers);
    address = await server.listen("127.0.0.1:0");
  });
  after(() => server.close());

  it("runs 20 concurrent bidi calls on one connection", { timeout: 30_000 }, async () => {
    const client = new GrpcClient({ address });
    try {
      barrierPeers.clear();
      // The server answers none of them before all 20 are open: they must be open at once.
      const calls = Array.from({ length: BARRIER_CALLS }, (_, i) => {
        const call = client.bidi(BYTES_BIDI, bytesCodec, metadataOf({ "x-id": `mux-${i}`, "x-mode": "barrier" }));
        const done = outcome(call);
        const sent = Array.from({ length: 5 }, (_, j) => Buffer.from(`call ${i} message ${j} `.repeat(i * 50 + 1)));
        for (const message of sent) call.write(message);
        call.end();
        return { sent, done };
      });
      const results = await within(20_000, "20 concurrent calls", Promise.all(calls.map((c) => c.done)));
      results.forEach((result, i) => {
        assert.equal(result.status.code, Status.OK, `call ${i}: ${result.status.details}`);
        assert.deepEqual(result.messages, calls[i]!.sent, `call ${i} got its own messages back, in order`);
      });
      assert.equal(barrierPeers.size, 1, `one connection (peers: ${[...barrierPeers].join(", ")})`);
    } finally {
      client.close();
    }
  });
});

describe("GrpcClient against a grpc-js server", () => {
  let directory: string;
  let server: grpc.Server;
  let address: string;
  const cancelled = new Map<string, Promise<unknown>>();
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), "jmp-grpc-client-grpcjs-"));
    server = new grpc.Server();
    server.addService(testService, {
      bytesBidi(call: grpc.ServerDuplexStream<Buffer, Buffer>) {
        const id = call.metadata.get("x-id")[0];
        if (id !== undefined) cancelled.set(String(id), once(call, "cancelled"));
        if (call.metadata.get("x-mode")[0] === "hang") {
          call.on("data", (message: Buffer) => call.write(message));
          return;
        }
        // Echo with backpressure: stop reading while the response side is full.
        call.on("data", (message: Buffer) => {
          if (call.write(message)) return;
          call.pause();
          call.once("drain", () => call.resume());
        });
        call.on("end", () => call.end());
      },
    });
    address = `unix:${join(directory, "grpc-js.sock")}`;
    await new Promise<void>((resolve, reject) =>
      server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error) => (error ? reject(error) : resolve())),
    );
  });
  after(async () => {
    server.forceShutdown();
    await rm(directory, { recursive: true, force: true });
  });

  it("echoes 32 MiB each way in 256 KiB messages, byte-exact (flow control both ways with Node's HTTP/2)", { timeout: 120_000 }, async () => {
    const size = 256 * 1024;
    const count = (32 * MiB) / size;
    const client = new GrpcClient({ address });
    try {
      const call = client.bidi(BYTES_BIDI, bytesCodec);
      const received = download(call, size);
      const done = outcome(call);
      const sent = await within(100_000, "the upload", upload(call, count, size));
      const result = await within(100_000, "the echo to end", done);
      assert.equal(result.error, undefined, result.error?.message);
      assert.equal(result.status.code, Status.OK);
      assert.equal(received.count(), count);
      assert.ok(received.inOrder(), "every echoed message arrived whole and in order");
      assert.equal(received.digest(), sent);
    } finally {
      client.close();
    }
  });

  it("cancels mid-stream: CANCELLED on the client, cancelled on the grpc-js handler", async () => {
    const client = new GrpcClient({ address });
    try {
      const call = client.bidi(BYTES_BIDI, bytesCodec, metadataOf({ "x-id": "cancel", "x-mode": "hang" }));
      const done = outcome(call);
      call.write(Buffer.from("ping"));
      await within(5000, "the echo", once(call, "data"));
      call.cancel();
      const result = await within(5000, "the call to end", done);
      assert.equal(result.status.code, Status.CANCELLED);
      assert.equal(result.error?.code, Status.CANCELLED);
      const handlerCancelled = cancelled.get("cancel");
      assert.ok(handlerCancelled, "the handler ran");
      await within(5000, "the grpc-js handler's cancelled event", handlerCancelled);
    } finally {
      client.close();
    }
  });
});

/** A self-signed certificate for `subjectAltName` (e.g. `IP:127.0.0.1`), made with openssl as http.test.ts does. */
describe("GrpcClient with TLS", () => {
  const NAME = "grpc.jumpstarter.test";
  let directory: string;
  let byIp: { cert: Buffer; address: string; server: GrpcServer };
  let byName: { cert: Buffer; address: string; server: GrpcServer };
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), "jmp-grpc-client-tls-"));
    const start = async (name: string, san: string) => {
      const { cert, key } = await selfSignedCertificate(directory, name, san);
      const server = new GrpcServer();
      server.addService(testService, handlers);
      return { cert, server, address: await server.listen("127.0.0.1:0", { cert, key }) };
    };
    byIp = await start("by-ip", "IP:127.0.0.1");
    byName = await start(NAME, `DNS:${NAME}`);
  });
  after(async () => {
    await byIp?.server.close();
    await byName?.server.close();
    await rm(directory, { recursive: true, force: true });
  });

  /** One echo call; resolves with how it ended. */
  async function echoOnce(client: GrpcClient): Promise<Outcome> {
    try {
      const call = client.bidi(BYTES_BIDI, bytesCodec);
      const done = outcome(call);
      call.write(Buffer.from("over tls"));
      call.end();
      return await within(10_000, "the TLS call", done);
    } finally {
      client.close();
    }
  }

  function assertEchoed(result: Outcome): void {
    assert.equal(result.error, undefined, result.error?.message);
    assert.equal(result.status.code, Status.OK);
    assert.deepEqual(result.messages, [Buffer.from("over tls")]);
  }

  it("works with a client that trusts the certificate (tls.ca)", async () => {
    assertEchoed(await echoOnce(new GrpcClient({ address: byIp.address, tls: { ca: byIp.cert } })));
  });

  it("works with tls.insecure (any certificate)", async () => {
    assertEchoed(await echoOnce(new GrpcClient({ address: byIp.address, tls: { insecure: true } })));
  });

  it("fails with UNAVAILABLE when the client trusts no CA that signed the certificate", async () => {
    const result = await echoOnce(new GrpcClient({ address: byIp.address, tls: {} }));
    assert.equal(result.status.code, Status.UNAVAILABLE);
    assert.equal(result.error?.code, Status.UNAVAILABLE);
    assert.match(result.status.details, new RegExp(byIp.address.replaceAll(".", "\\.")));
  });

  it("verifies against tls.servername when the certificate's name differs from the address host", async () => {
    const mismatch = await echoOnce(new GrpcClient({ address: byName.address, tls: { ca: byName.cert } }));
    assert.equal(mismatch.status.code, Status.UNAVAILABLE, "without servername the certificate does not match 127.0.0.1");
    assertEchoed(await echoOnce(new GrpcClient({ address: byName.address, tls: { ca: byName.cert, servername: NAME } })));
  });
});
