/*
 * gRPC calls through GrpcServer with grpc-js's client over real sockets: round trips of every supported call
 * kind, metadata both ways, statuses, deadlines, cancellation, message limits, compression and concurrency.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import http2 from "node:http2";
import * as net from "node:net";
import { after, before, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import type { BidiCall, ServerStreamCall, UnaryCall } from "./calls.js";
import type { Fixture, TestClient } from "./test-support.js";
import { UNARY_PATH, callUnary, collect, newClient, serveForSuite, startServer, until, within } from "./test-support.js";

const { status: Status, Metadata } = grpc;

type UnaryCallback = (error: { code?: number; details?: string } | null, value?: unknown, trailer?: grpc.Metadata) => void;

interface Request {
  readonly action: string;
  readonly [key: string]: unknown;
}

/** Server-side observations, by the `id` a test put in its request. */
const seen = new Map<string, { call: UnaryCall | ServerStreamCall | BidiCall; cancelled: Promise<unknown> }>();

function remember(id: unknown, call: UnaryCall | ServerStreamCall | BidiCall): void {
  seen.set(String(id), { call, cancelled: once(call, "cancelled") });
}

function metadataSummary(metadata: grpc.Metadata) {
  return {
    text: metadata.get("x-text"),
    bin: metadata.get("x-data-bin").map((value) => Buffer.from(value as Buffer).toString("hex")),
  };
}

const handlers = {
  unary(call: UnaryCall, callback: UnaryCallback) {
    const request = call.request as Request;
    switch (request.action) {
      case "echo": {
        if (request.headers) {
          const headers = new Metadata();
          headers.set("x-reply", "early");
          headers.set("x-reply-bin", Buffer.from([9, 8, 7]));
          call.sendMetadata(headers);
        }
        const trailer = new Metadata();
        trailer.set("x-trailer", "bye");
        trailer.set("x-trailer-bin", Buffer.from([0xff, 0x00, 0x10]));
        callback(null, { echo: request.value, metadata: metadataSummary(call.metadata), peer: call.getPeer() }, trailer);
        return;
      }
      case "fail":
        callback({ code: request.code as number, details: request.details as string });
        return;
      case "throw":
        throw new Error(request.details as string);
      case "hang":
        remember(request.id, call);
        return;
      case "size":
        callback(null, { length: (request.pad as string).length, peer: call.getPeer() });
        return;
      default:
        callback({ code: Status.INVALID_ARGUMENT, details: `unknown action ${request.action}` });
    }
  },
  serverStream(call: ServerStreamCall) {
    const request = call.request as Request;
    switch (request.action) {
      case "count": {
        const headers = new Metadata();
        headers.set("x-stream", "yes");
        call.sendMetadata(headers);
        for (let i = 0; i < (request.count as number); i++) call.write({ i, metadata: metadataSummary(call.metadata) });
        call.end();
        return;
      }
      case "fail-after-one":
        call.write({ i: 0 });
        call.emit("error", { code: Status.PERMISSION_DENIED, details: request.details as string });
        return;
      case "throw":
        throw new Error(request.details as string);
      case "one-then-hang":
        remember(request.id, call);
        call.write({ i: 0, peer: call.getPeer() });
        return;
      default:
        call.emit("error", { code: Status.INVALID_ARGUMENT, details: `unknown action ${request.action}` });
    }
  },
  bidi(call: BidiCall) {
    const mode = call.metadata.get("x-mode")[0];
    if (mode === "hang") {
      remember(call.metadata.get("x-id")[0], call);
      call.on("data", (message: Request) => call.write({ got: message, peer: call.getPeer() }));
      return;
    }
    if (mode === "fail") {
      call.once("data", () => call.emit("error", { code: Status.FAILED_PRECONDITION, details: "bidi says no" }));
      return;
    }
    call.on("data", (message: { n: number }) => call.write({ doubled: message.n * 2 }));
    call.on("end", () => call.end());
  },
  clientStream(_call: unknown, callback: UnaryCallback) {
    callback(null, { reached: true });
  },
};

describe("round trips over a unix socket", () => {
  const served = serveForSuite(handlers);

  it("answers a unary call and passes text and -bin request metadata to the handler", async () => {
    const metadata = new Metadata();
    metadata.add("x-text", "hello");
    metadata.add("x-text", "world");
    metadata.add("x-data-bin", Buffer.from([0, 1, 2, 0xfe, 0xff]));
    metadata.add("x-data-bin", Buffer.from("second"));
    const outcome = await callUnary(served.client, { action: "echo", value: { nested: [1, "two"] } }, { metadata });
    assert.equal(outcome.error, undefined);
    assert.equal(outcome.status.code, Status.OK);
    assert.deepEqual(outcome.value, {
      echo: { nested: [1, "two"] },
      metadata: { text: ["hello", "world"], bin: ["000102feff", Buffer.from("second").toString("hex")] },
      peer: "unix:",
    });
  });

  it("sends response metadata from sendMetadata and trailing metadata from the unary callback", async () => {
    const outcome = await callUnary(served.client, { action: "echo", value: 1, headers: true });
    assert.equal(outcome.status.code, Status.OK);
    assert.ok(outcome.headers, "response headers arrived");
    assert.deepEqual(outcome.headers.get("x-reply"), ["early"]);
    assert.deepEqual(outcome.headers.get("x-reply-bin"), [Buffer.from([9, 8, 7])]);
    assert.deepEqual(outcome.status.metadata.get("x-trailer"), ["bye"]);
    assert.deepEqual(outcome.status.metadata.get("x-trailer-bin"), [Buffer.from([0xff, 0x00, 0x10])]);
    // The trailer is not in the response headers.
    assert.deepEqual(outcome.headers.get("x-trailer"), []);
  });

  it("streams server responses in order, with response headers and request metadata", async () => {
    const metadata = new Metadata();
    metadata.set("x-text", "stream");
    const outcome = await collect(served.client.serverStream({ action: "count", count: 25 }, metadata, {}));
    assert.equal(outcome.error, undefined);
    assert.equal(outcome.status.code, Status.OK);
    assert.deepEqual(outcome.headers?.get("x-stream"), ["yes"]);
    assert.deepEqual(
      outcome.messages,
      Array.from({ length: 25 }, (_, i) => ({ i, metadata: { text: ["stream"], bin: [] } })),
    );
  });

  it("streams an empty server response (status only)", async () => {
    const outcome = await collect(served.client.serverStream({ action: "count", count: 0 }, new Metadata(), {}));
    assert.equal(outcome.status.code, Status.OK);
    assert.deepEqual(outcome.messages, []);
  });

  it("echoes a bidi stream both ways and ends when the served.client ends", async () => {
    const call = served.client.bidi(new Metadata(), {});
    const done = collect(call);
    for (let n = 0; n < 100; n++) call.write({ n });
    call.end();
    const outcome = await done;
    assert.equal(outcome.error, undefined);
    assert.equal(outcome.status.code, Status.OK);
    assert.deepEqual(
      outcome.messages,
      Array.from({ length: 100 }, (_, n) => ({ doubled: n * 2 })),
    );
  });

  it("interleaves bidi requests and responses (each answer arrives before the next request is sent)", async () => {
    const call = served.client.bidi(new Metadata(), {});
    const done = collect(call);
    const answers: unknown[] = [];
    call.on("data", (message: unknown) => answers.push(message));
    for (let n = 1; n <= 5; n++) {
      call.write({ n });
      await until(() => answers.length === n, `answer ${n}`);
      assert.deepEqual(answers[n - 1], { doubled: n * 2 });
    }
    call.end();
    assert.equal((await done).status.code, Status.OK);
  });
});

describe("error statuses", () => {
  const served = serveForSuite(handlers);

  it("passes a unary callback's {code, details} to the client", async () => {
    const outcome = await callUnary(served.client, { action: "fail", code: Status.NOT_FOUND, details: "no such thing" });
    assert.equal(outcome.error?.code, Status.NOT_FOUND);
    assert.equal(outcome.error?.details, "no such thing");
    assert.equal(outcome.status.code, Status.NOT_FOUND);
  });

  it("turns an out-of-range code into UNKNOWN", async () => {
    const outcome = await callUnary(served.client, { action: "fail", code: 99, details: "odd" });
    assert.equal(outcome.error?.code, Status.UNKNOWN);
    assert.equal(outcome.error?.details, "odd");
  });

  it("ends a server stream with the status its handler emitted as an error, after the messages already written", async () => {
    const outcome = await collect(served.client.serverStream({ action: "fail-after-one", details: "stream says no" }, new Metadata(), {}));
    assert.deepEqual(outcome.messages, [{ i: 0 }]);
    assert.equal(outcome.error?.code, Status.PERMISSION_DENIED);
    assert.equal(outcome.error?.details, "stream says no");
  });

  it("ends a bidi stream with the status its handler emitted as an error", async () => {
    const metadata = new Metadata();
    metadata.set("x-mode", "fail");
    const call = served.client.bidi(metadata, {});
    const done = collect(call);
    call.write({ n: 1 });
    const outcome = await done;
    call.end();
    assert.equal(outcome.error?.code, Status.FAILED_PRECONDITION);
    assert.equal(outcome.error?.details, "bidi says no");
  });

  it("answers UNKNOWN with the message of an error a handler throws", async () => {
    const unary = await callUnary(served.client, { action: "throw", details: "unary blew up" });
    assert.equal(unary.error?.code, Status.UNKNOWN);
    assert.equal(unary.error?.details, "unary blew up");
    const stream = await collect(served.client.serverStream({ action: "throw", details: "stream blew up" }, new Metadata(), {}));
    assert.equal(stream.error?.code, Status.UNKNOWN);
    assert.equal(stream.error?.details, "stream blew up");
    assert.deepEqual(stream.messages, []);
  });

  const awkward = "naïve 100% sure ✓ 日本語 😀 %2C %zz % \t tab, a #hash? and\nnewline";

  it("round-trips details with non-ASCII, control characters and % exactly", async () => {
    const outcome = await callUnary(served.client, { action: "fail", code: Status.ABORTED, details: awkward });
    assert.equal(outcome.error?.code, Status.ABORTED);
    assert.equal(outcome.error?.details, awkward);
    const stream = await collect(served.client.serverStream({ action: "fail-after-one", details: awkward }, new Metadata(), {}));
    assert.equal(stream.error?.details, awkward);
  });

  /** One gRPC request with Node's HTTP/2 client; returns what came back, frame flags included. */
  async function rawGrpc(request: unknown) {
    const session = http2.connect("http://localhost", { createConnection: () => net.connect(served.fixture.socketPath) });
    session.on("error", () => {});
    try {
      const body = Buffer.from(JSON.stringify(request));
      const prefix = Buffer.alloc(5);
      prefix.writeUInt32BE(body.length, 1);
      const stream = session.request({ ":method": "POST", ":path": UNARY_PATH, "content-type": "application/grpc", te: "trailers" });
      stream.end(Buffer.concat([prefix, body]));
      let headers: http2.IncomingHttpHeaders | undefined;
      let headerFlags = 0;
      let trailers: http2.IncomingHttpHeaders | undefined;
      const data: Buffer[] = [];
      stream.on("response", (value, flags) => {
        headers = value;
        headerFlags = flags;
      });
      stream.on("trailers", (value) => (trailers = value));
      stream.on("data", (chunk: Buffer) => data.push(chunk));
      await within(5000, "the raw gRPC response", once(stream, "close"));
      return { headers, headerFlags, trailers, data: Buffer.concat(data) };
    } finally {
      session.close();
    }
  }

  it("sends a status before any message as a trailers-only response (one HEADERS with END_STREAM)", async () => {
    const response = await rawGrpc({ action: "fail", code: Status.NOT_FOUND, details: awkward });
    assert.ok(response.headers);
    assert.equal(response.headers[":status"], 200);
    assert.equal(response.headers["content-type"], "application/grpc");
    assert.equal(response.headers["grpc-status"], String(Status.NOT_FOUND));
    assert.equal(response.headerFlags & 0x1, 0x1, "END_STREAM on the only HEADERS frame");
    assert.equal(response.trailers, undefined);
    assert.equal(response.data.length, 0);
    const raw = response.headers["grpc-message"] as string;
    assert.match(raw, /^[\x20-\x7e]*$/, "grpc-message is printable ASCII");
    assert.ok(!/%(?![0-9A-F]{2})/.test(raw), "every % in grpc-message starts an escape");
    assert.equal(decodeURIComponent(raw), awkward);
  });

  it("sends a status after a message as trailers (headers, DATA, trailing HEADERS)", async () => {
    const response = await rawGrpc({ action: "echo", value: 7 });
    assert.ok(response.headers);
    assert.equal(response.headers[":status"], 200);
    assert.equal(response.headers["grpc-status"], undefined);
    assert.equal(response.headerFlags & 0x1, 0);
    assert.equal(response.trailers?.["grpc-status"], "0");
    assert.equal(response.trailers?.["x-trailer"], "bye");
    assert.equal(response.data[0], 0, "uncompressed message");
    assert.equal(response.data.readUInt32BE(1), response.data.length - 5);
    assert.deepEqual(JSON.parse(response.data.subarray(5).toString()).echo, 7);
  });
});

describe("unimplemented methods", () => {
  const served = serveForSuite(handlers);

  it("answers a method the server does not know with UNIMPLEMENTED", async () => {
    const outcome = await callUnary(served.client, { action: "echo" }, { method: "missing" });
    assert.equal(outcome.error?.code, Status.UNIMPLEMENTED);
    assert.match(outcome.error?.details ?? "", /Missing/);
  });

  it("answers a client-streaming method with UNIMPLEMENTED even though a handler was given", async () => {
    const error = await new Promise<grpc.ServiceError | null>((resolve) => {
      const call = served.client.clientStream(new Metadata(), {}, (err) => resolve(err));
      call.write({ n: 1 });
      call.write({ n: 2 });
      call.end();
    });
    assert.equal(error?.code, Status.UNIMPLEMENTED);
  });

  it("keeps serving after refusing", async () => {
    const outcome = await callUnary(served.client, { action: "echo", value: "still here" });
    assert.equal(outcome.status.code, Status.OK);
  });
});

describe("deadlines and cancellation", () => {
  let fixture: Fixture;
  let tcpAddress: string;
  let client: TestClient;
  before(async () => {
    fixture = await startServer(handlers);
    tcpAddress = await fixture.server.listen("127.0.0.1:0");
    client = newClient(tcpAddress);
  });
  after(async () => {
    client.close();
    await fixture.close();
  });

  it("answers DEADLINE_EXCEEDED to a client deadline the handler misses, and cancels the server call", async () => {
    const started = Date.now();
    const outcome = await within(10_000, "the deadline", callUnary(client, { action: "hang", id: "deadline" }, { deadline: started + 300 }));
    assert.equal(outcome.error?.code, Status.DEADLINE_EXCEEDED);
    const observed = seen.get("deadline");
    assert.ok(observed, "the handler ran");
    await within(5000, "the server call's cancelled event", observed.cancelled);
    assert.equal(observed.call.cancelled, true);
    const deadline = observed.call.getDeadline();
    assert.ok(Number.isFinite(deadline) && deadline <= started + 300 + 1000, `deadline ${deadline} follows grpc-timeout`);
  });

  it("cancels the server call when the client cancels a server stream, and the connection serves the next call", async () => {
    const call = client.serverStream({ action: "one-then-hang", id: "cancel-stream" }, new Metadata(), {});
    const done = collect(call);
    const [first] = (await within(5000, "the first message", once(call, "data"))) as [{ peer: string }];
    call.cancel();
    const outcome = await done;
    assert.equal(outcome.error?.code, Status.CANCELLED);
    const observed = seen.get("cancel-stream");
    assert.ok(observed);
    await within(5000, "the server call's cancelled event", observed.cancelled);
    const next = await callUnary(client, { action: "echo", value: "after" });
    assert.equal(next.status.code, Status.OK);
    assert.equal((next.value as { peer: string }).peer, first.peer, "the same connection (same client port)");
  });

  it("cancels the server call when the client cancels a bidi stream, and the connection serves the next call", async () => {
    const metadata = new Metadata();
    metadata.set("x-mode", "hang");
    metadata.set("x-id", "cancel-bidi");
    const call = client.bidi(metadata, {});
    const done = collect(call);
    call.write({ n: 1 });
    const [first] = (await within(5000, "the first answer", once(call, "data"))) as [{ peer: string; got: unknown }];
    assert.deepEqual(first.got, { n: 1 });
    call.cancel();
    const outcome = await done;
    assert.equal(outcome.error?.code, Status.CANCELLED);
    const observed = seen.get("cancel-bidi");
    assert.ok(observed);
    await within(5000, "the server call's cancelled event", observed.cancelled);
    const next = await callUnary(client, { action: "echo", value: "after" });
    assert.equal(next.status.code, Status.OK);
    assert.equal((next.value as { peer: string }).peer, first.peer, "the same connection (same client port)");
  });
});

describe("maxReceiveMessageLength", () => {
  let fixture: Fixture;
  let client: TestClient;
  const limit = 1024;
  before(async () => {
    fixture = await startServer(handlers, { maxReceiveMessageLength: limit });
    client = newClient(fixture.address);
  });
  after(async () => {
    client.close();
    await fixture.close();
  });

  it("accepts a request just under the limit", async () => {
    const pad = "x".repeat(limit - JSON.stringify({ action: "size", pad: "" }).length);
    const outcome = await callUnary(client, { action: "size", pad });
    assert.equal(outcome.status.code, Status.OK);
    assert.equal((outcome.value as { length: number }).length, pad.length);
  });

  it("answers RESOURCE_EXHAUSTED to a unary request over the limit", async () => {
    const outcome = await callUnary(client, { action: "size", pad: "x".repeat(4 * limit) });
    assert.equal(outcome.error?.code, Status.RESOURCE_EXHAUSTED);
  });

  it("answers RESOURCE_EXHAUSTED to a bidi message over the limit", async () => {
    const call = client.bidi(new Metadata(), {});
    const done = collect(call);
    call.write({ n: 1 });
    call.write({ n: 2, pad: "y".repeat(100 * limit) });
    call.end();
    const outcome = await done;
    assert.equal(outcome.error?.code, Status.RESOURCE_EXHAUSTED);
    // The first, small message may have been answered before the large one arrived; nothing after it.
    assert.ok(outcome.messages.length <= 1);
    if (outcome.messages.length === 1) assert.deepEqual(outcome.messages[0], { doubled: 2 });
  });

  it("keeps serving after refusing", async () => {
    const outcome = await callUnary(client, { action: "size", pad: "ok" });
    assert.equal(outcome.status.code, Status.OK);
  });
});

describe("compressed requests", () => {
  let fixture: Fixture;
  let proxy: net.Server;
  let proxyAddress: string;
  let upstreamBytes = 0;
  const sockets = new Set<net.Socket>();
  before(async () => {
    fixture = await startServer(handlers);
    // A TCP proxy in front of the unix socket counts what the client sends: proof that it compressed.
    proxy = net.createServer((downstream) => {
      const upstream = net.connect(fixture.socketPath);
      sockets.add(downstream).add(upstream);
      downstream.on("data", (chunk: Buffer) => (upstreamBytes += chunk.length));
      downstream.pipe(upstream).on("error", () => {});
      upstream.pipe(downstream).on("error", () => {});
      downstream.on("error", () => upstream.destroy());
      upstream.on("error", () => downstream.destroy());
      downstream.on("close", () => upstream.destroy());
      upstream.on("close", () => downstream.destroy());
    });
    proxy.listen(0, "127.0.0.1");
    await once(proxy, "listening");
    proxyAddress = `127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
  });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => proxy.close(resolve));
    await fixture.close();
  });

  for (const [name, algorithm] of [
    ["gzip", 2],
    ["deflate", 1],
  ] as const) {
    it(`accepts and decodes a ${name}-compressed request`, async () => {
      const client = newClient(proxyAddress, { "grpc.default_compression_algorithm": algorithm });
      try {
        const pad = "a".repeat(1 << 20);
        upstreamBytes = 0;
        const outcome = await callUnary(client, { action: "size", pad });
        assert.equal(outcome.error, undefined);
        assert.equal((outcome.value as { length: number }).length, pad.length);
        assert.ok(upstreamBytes < 64 * 1024, `the client sent ${upstreamBytes} bytes for a 1 MiB request: it was compressed`);
      } finally {
        client.close();
      }
    });
  }
});

describe("many concurrent calls", () => {
  const served = serveForSuite(handlers);

  it("answers 500 unary calls in flight at once over one channel", async () => {
    // Warm the channel so every call goes over one connection.
    assert.equal((await callUnary(served.client, { action: "echo", value: -1 })).status.code, Status.OK);
    const outcomes = await within(
      30_000,
      "500 calls",
      Promise.all(Array.from({ length: 500 }, (_, i) => callUnary(served.client, { action: "echo", value: i }))),
    );
    outcomes.forEach((outcome, i) => {
      assert.equal(outcome.error, undefined, `call ${i}: ${outcome.error?.message}`);
      assert.equal((outcome.value as { echo: number }).echo, i);
      assert.deepEqual(outcome.status.metadata.get("x-trailer"), ["bye"]);
    });
  });

  it("queues calls beyond maxConcurrentStreams instead of failing them", async () => {
    let running = 0;
    let mostRunning = 0;
    const limited = await startServer(
      {
        unary(call: UnaryCall, callback: UnaryCallback) {
          running++;
          mostRunning = Math.max(mostRunning, running);
          setTimeout(() => {
            running--;
            callback(null, { echo: call.request });
          }, 5);
        },
      },
      { maxConcurrentStreams: 2 },
    );
    const limitedClient = newClient(limited.address);
    try {
      assert.equal((await callUnary(limitedClient, "warm")).status.code, Status.OK);
      const outcomes = await within(30_000, "the queued calls", Promise.all(Array.from({ length: 30 }, (_, i) => callUnary(limitedClient, i))));
      outcomes.forEach((outcome, i) => assert.deepEqual(outcome.value, { echo: i }, outcome.error?.message));
      assert.ok(mostRunning <= 2, `${mostRunning} calls ran at once`);
    } finally {
      limitedClient.close();
      await limited.close();
    }
  });

  it("runs server streams and bidi calls concurrently with unary calls", async () => {
    const streams = Array.from({ length: 20 }, () => collect(served.client.serverStream({ action: "count", count: 50 }, new Metadata(), {})));
    const bidis = Array.from({ length: 20 }, (_, k) => {
      const call = served.client.bidi(new Metadata(), {});
      const done = collect(call);
      for (let n = 0; n < 50; n++) call.write({ n: n + k });
      call.end();
      return done;
    });
    const unaries = Array.from({ length: 100 }, (_, i) => callUnary(served.client, { action: "echo", value: i }));
    const [s, b, u] = await within(30_000, "the mixed calls", Promise.all([Promise.all(streams), Promise.all(bidis), Promise.all(unaries)]));
    for (const outcome of s) assert.equal(outcome.messages.length, 50);
    b.forEach((outcome, k) => assert.deepEqual(outcome.messages, Array.from({ length: 50 }, (_, n) => ({ doubled: (n + k) * 2 }))));
    u.forEach((outcome, i) => assert.equal((outcome.value as { echo: number }).echo, i));
  });
});
