/*
 * GrpcClient through real sockets, calls that do not end well: error statuses, unknown methods, handlers that
 * throw, cancellation, deadlines, nothing listening, a server that goes away (and reconnecting), keepalive,
 * and closing the client.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { TestContext } from "node:test";
import * as grpc from "@grpc/grpc-js";
import type { BidiCall } from "./calls.js";
import type { ClientBidiCall } from "./client.js";
import { GrpcClient } from "./client.js";
import { GrpcServer } from "./server.js";
import type { Outcome } from "./test-support.js";
import { BYTES_BIDI, FLAG, FRAME, PREFACE, bytesCodec, delay, metadataOf, outcome, parseFrames, serveForSuite, startServer, testService, until, within } from "./test-support.js";

const { status: Status } = grpc;
/** Asserts that the call failed with `code`: one `error` carrying it, then `status`. */
function assertFailed(result: Outcome, code: number, details?: string | RegExp): void {
  assert.equal(result.status.code, code, `status ${result.status.code}: ${result.status.details}`);
  assert.ok(result.error, "an error event");
  assert.equal(result.error.code, code);
  assert.equal(result.error.details, result.status.details);
  assert.deepEqual(
    result.events.filter((event) => event === "error" || event === "status"),
    ["error", "status"],
    "exactly one error, then the status",
  );
  if (typeof details === "string") assert.equal(result.status.details, details);
  else if (details) assert.match(result.status.details, details);
}

function escaped(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
}

/** Server-side calls by the x-id they carried, with their `cancelled` event. */
const seen = new Map<string, { readonly call: BidiCall; readonly cancelled: Promise<unknown> }>();
const UNICODE_DETAILS = "nope: ünïcödé 100% 🚫";

const handlers = {
  bytesBidi(call: BidiCall) {
    // Not events.once(): it would reject on the "error" a failing handler emits.
    const cancelled = new Promise<unknown>((resolve) => call.once("cancelled", resolve));
    seen.set(String(call.metadata.get("x-id")[0]), { call, cancelled });
    switch (call.metadata.get("x-mode")[0]) {
      case "fail":
        call.once("data", () => call.emit("error", { code: Status.FAILED_PRECONDITION, details: UNICODE_DETAILS }));
        return;
      case "throw":
        throw new Error("the handler blew up");
      case "hang":
        // Echoes, never ends.
        call.on("data", (message: Buffer) => call.write(message));
        return;
      case "silent":
        return;
      default:
        call.on("data", (message: Buffer) => call.write(message));
        call.on("end", () => call.end());
    }
  },
};

/** Starts a call in `mode` and waits for the echo of a first message (so the handler is running). */
async function openCall(client: GrpcClient, mode: string, id: string): Promise<{ call: ClientBidiCall; done: Promise<Outcome> }> {
  const call = client.bidi(BYTES_BIDI, bytesCodec, metadataOf({ "x-mode": mode, "x-id": id }));
  const done = outcome(call);
  call.write(Buffer.from("hello"));
  await within(5000, "the first echo", once(call, "data"));
  return { call, done };
}

describe("GrpcClient: failing calls against GrpcServer", () => {
  const served = serveForSuite(handlers);
  let client: GrpcClient;
  before(() => (client = new GrpcClient({ address: served.fixture.address })));
  after(() => client.close());

  it("reports the handler's status code and non-ASCII, % details exactly (error, then status)", async () => {
    const call = client.bidi(BYTES_BIDI, bytesCodec, metadataOf({ "x-mode": "fail", "x-id": "fail" }));
    const done = outcome(call);
    call.write(Buffer.from("go"));
    const result = await within(5000, "the failed call", done);
    assertFailed(result, Status.FAILED_PRECONDITION, UNICODE_DETAILS);
    assert.equal(result.error?.message, `${Status.FAILED_PRECONDITION} FAILED_PRECONDITION: ${UNICODE_DETAILS}`);
  });

  it("reports UNIMPLEMENTED for a method the server does not have (trailers-only response)", async () => {
    const path = "/jumpstarter.test.Test/NoSuchMethod";
    const call = client.bidi(path, bytesCodec);
    const done = outcome(call);
    call.write(Buffer.from("anyone?"));
    const result = await within(5000, "the call to an unknown method", done);
    assertFailed(result, Status.UNIMPLEMENTED, escaped(path));
    assert.deepEqual(result.messages, []);
  });

  it("reports UNKNOWN with the message of a handler that throws", async () => {
    const call = client.bidi(BYTES_BIDI, bytesCodec, metadataOf({ "x-mode": "throw", "x-id": "throw" }));
    const result = await within(5000, "the call to a throwing handler", outcome(call));
    assertFailed(result, Status.UNKNOWN, "the handler blew up");
  });

  it("cancel() mid-stream: CANCELLED on the client, cancelled on the server's handler", async () => {
    const { call, done } = await openCall(client, "hang", "cancel");
    call.cancel();
    const result = await within(5000, "the cancelled call", done);
    assertFailed(result, Status.CANCELLED);
    const observed = seen.get("cancel");
    assert.ok(observed, "the handler ran");
    await within(5000, "the handler's cancelled event", observed.cancelled);
    assert.equal(observed.call.cancelled, true);
  });

  it("ends with DEADLINE_EXCEEDED past the deadline; the server got the deadline as grpc-timeout", async () => {
    const start = Date.now();
    const call = client.bidi(BYTES_BIDI, bytesCodec, metadataOf({ "x-mode": "silent", "x-id": "deadline" }), { deadline: start + 200 });
    call.write(Buffer.from("are you there?"));
    const result = await within(5000, "the deadline", outcome(call));
    assertFailed(result, Status.DEADLINE_EXCEEDED);
    assert.ok(Date.now() - start >= 190, "not before the deadline");
    const observed = seen.get("deadline");
    assert.ok(observed, "the handler ran");
    const deadline = observed.call.getDeadline();
    assert.ok(Number.isFinite(deadline), "the server knows the call's deadline");
    assert.ok(deadline >= start + 100 && deadline < start + 10_000, `the server's deadline is ${deadline - start} ms after the start`);
    await within(5000, "the handler's cancelled event", observed.cancelled);
  });
});

describe("GrpcClient: nothing listening", () => {
  let directory: string;
  before(async () => (directory = await mkdtemp(join(tmpdir(), "jmp-grpc-client-none-"))));
  after(() => rm(directory, { recursive: true, force: true }));

  async function assertUnavailable(address: string, mention: string): Promise<void> {
    const client = new GrpcClient({ address });
    try {
      const call = client.bidi(BYTES_BIDI, bytesCodec);
      const done = outcome(call);
      call.write(Buffer.from("lost"));
      call.end();
      const result = await within(10_000, "the call to fail", done);
      assertFailed(result, Status.UNAVAILABLE, escaped(mention));
    } finally {
      client.close();
    }
  }

  it("fails with UNAVAILABLE naming a missing unix socket", async () => {
    const path = join(directory, "nobody.sock");
    await assertUnavailable(`unix:${path}`, path);
  });

  it("fails with UNAVAILABLE naming a closed TCP port", async () => {
    const listener = net.createServer();
    listener.listen(0, "127.0.0.1");
    await once(listener, "listening");
    const port = (listener.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => listener.close(() => resolve()));
    await assertUnavailable(`127.0.0.1:${port}`, `127.0.0.1:${port}`);
  });
});

/** A server on `address` (a unix socket) with this file's handlers, closed after the test. */
async function serveAt(t: TestContext, address: string): Promise<GrpcServer> {
  const server = new GrpcServer();
  server.addService(testService, handlers);
  await server.listen(address);
  t.after(() => server.close());
  return server;
}

describe("GrpcClient: the server goes away", () => {
  it("ends an open call when the server closes, then reconnects on the same client to a new server", async (t) => {
    const fixture = await startServer(handlers);
    t.after(() => fixture.close());
    const client = new GrpcClient({ address: fixture.address });
    t.after(() => client.close());

    const { done } = await openCall(client, "hang", "gone");
    await within(5000, "the server to close", fixture.server.close());
    const result = await within(5000, "the call to end", done);
    // GrpcServer.close() resets its streams (RST_STREAM CANCEL) before its GOAWAY: #onReset maps that reset, on a
    // connection still open, to CANCELLED as grpc-js does ("Call cancelled"), not to "Connection dropped".
    assertFailed(result, Status.CANCELLED, "Call cancelled");

    await serveAt(t, fixture.address);
    const call = client.bidi(BYTES_BIDI, bytesCodec);
    const again = outcome(call);
    call.write(Buffer.from("back"));
    call.end();
    const second = await within(10_000, "a call after the restart", again);
    assert.equal(second.status.code, Status.OK, second.status.details);
    assert.deepEqual(second.messages, [Buffer.from("back")]);
  });
});

describe("GrpcClient: keepalive", () => {
  let directory: string;
  before(async () => (directory = await mkdtemp(join(tmpdir(), "jmp-grpc-client-keepalive-"))));
  after(() => rm(directory, { recursive: true, force: true }));

  /** A unix socket server running `onSocket` for each connection; it and its sockets go after the test. */
  async function rawServer(t: TestContext, name: string, onSocket: (socket: net.Socket) => void): Promise<string> {
    const path = join(directory, name);
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on("error", () => {});
      onSocket(socket);
    });
    server.listen(path);
    await once(server, "listening");
    t.after(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    return path;
  }

  it("fails the call with UNAVAILABLE when the server accepts but never answers a PING", { timeout: 15_000 }, async (t) => {
    const path = await rawServer(t, "mute.sock", (socket) => socket.resume());
    const client = new GrpcClient({ address: `unix:${path}`, keepaliveMs: 100, keepaliveTimeoutMs: 200 });
    t.after(() => client.close());
    const call = client.bidi(BYTES_BIDI, bytesCodec);
    const done = outcome(call);
    call.write(Buffer.from("hello?"));
    const result = await within(10_000, "the keepalive to give up", done);
    assertFailed(result, Status.UNAVAILABLE);
  });

  it("fails the call with UNAVAILABLE when the connection drops without a reset (socket closed)", { timeout: 15_000 }, async (t) => {
    const path = await rawServer(t, "dropper.sock", (socket) => {
      const received: Buffer[] = [];
      socket.on("data", (chunk: Buffer) => {
        received.push(chunk);
        const bytes = Buffer.concat(received);
        // Drops the connection once the call's HEADERS arrived.
        if (bytes.length > PREFACE.length && parseFrames(bytes.subarray(PREFACE.length)).some((f) => f.type === FRAME.HEADERS)) socket.destroy();
      });
    });
    const client = new GrpcClient({ address: `unix:${path}`, keepaliveMs: 0 });
    t.after(() => client.close());
    const call = client.bidi(BYTES_BIDI, bytesCodec);
    const result = await within(10_000, "the dropped call", outcome(call));
    assertFailed(result, Status.UNAVAILABLE, /^Connection dropped/);
  });

  it("drops an idle connection whose PING goes unanswered when keepaliveWithoutCalls, and reconnects", { timeout: 15_000 }, async (t) => {
    const fixture = await startServer(handlers);
    t.after(() => fixture.close());
    // A proxy that forwards everything until `mute`, then swallows what the client sends.
    let mute = false;
    let connections = 0;
    let closed = 0;
    const path = await rawServer(t, "muting.sock", (socket) => {
      connections++;
      socket.on("close", () => closed++);
      const upstream = net.connect(fixture.socketPath);
      upstream.on("error", () => socket.destroy());
      socket.on("close", () => upstream.destroy());
      upstream.on("close", () => socket.destroy());
      socket.on("data", (chunk: Buffer) => {
        if (!mute) upstream.write(chunk);
      });
      upstream.pipe(socket);
    });
    const client = new GrpcClient({ address: `unix:${path}`, keepaliveMs: 50, keepaliveTimeoutMs: 200, keepaliveWithoutCalls: true });
    t.after(() => client.close());
    const first = client.bidi(BYTES_BIDI, bytesCodec);
    const firstDone = outcome(first);
    first.end(Buffer.from("one"));
    assert.equal((await within(5000, "the first call", firstDone)).status.code, Status.OK);
    mute = true;
    // No call is open: only the idle PINGs can find out that the peer went silent.
    await until(() => closed === 1, "the client to drop the silent idle connection");
    mute = false;
    const second = client.bidi(BYTES_BIDI, bytesCodec);
    const secondDone = outcome(second);
    second.end(Buffer.from("two"));
    const result = await within(5000, "a call after the drop", secondDone);
    assert.equal(result.status.code, Status.OK, result.status.details);
    assert.equal(connections, 2, "the dropped connection was replaced by a new one");
  });

  it("keeps a call open for 500 ms with PINGs every 50 ms answered by GrpcServer", { timeout: 15_000 }, async (t) => {
    const fixture = await startServer(handlers);
    t.after(() => fixture.close());
    // A proxy in between counts the PINGs and their acknowledgements.
    const up: Buffer[] = [];
    const down: Buffer[] = [];
    const path = await rawServer(t, "proxy.sock", (socket) => {
      const upstream = net.connect(fixture.socketPath);
      upstream.on("error", () => socket.destroy());
      socket.on("close", () => upstream.destroy());
      upstream.on("close", () => socket.destroy());
      socket.on("data", (chunk: Buffer) => up.push(chunk));
      upstream.on("data", (chunk: Buffer) => down.push(chunk));
      socket.pipe(upstream);
      upstream.pipe(socket);
    });
    const client = new GrpcClient({ address: `unix:${path}`, keepaliveMs: 50, keepaliveTimeoutMs: 200 });
    t.after(() => client.close());

    const call = client.bidi(BYTES_BIDI, bytesCodec);
    const done = outcome(call);
    const sent: Buffer[] = [];
    for (let i = 0; i < 5; i++) {
      sent.push(Buffer.from(`tick ${i}`));
      call.write(sent[i]);
      await delay(100);
    }
    call.end();
    const result = await within(10_000, "the long call", done);
    assert.equal(result.status.code, Status.OK, result.status.details);
    assert.deepEqual(result.messages, sent);

    const clientFrames = Buffer.concat(up);
    assert.ok(clientFrames.subarray(0, PREFACE.length).equals(PREFACE));
    const pings = parseFrames(clientFrames.subarray(PREFACE.length)).filter((f) => f.type === FRAME.PING && (f.flags & FLAG.ACK) === 0);
    const acks = parseFrames(Buffer.concat(down)).filter((f) => f.type === FRAME.PING && (f.flags & FLAG.ACK) !== 0);
    assert.ok(pings.length >= 3, `the client sent ${pings.length} PINGs`);
    assert.ok(acks.length >= pings.length - 1, `${acks.length} of ${pings.length} PINGs were acknowledged`);
  });
});

describe("GrpcClient.close()", () => {
  const served = serveForSuite(handlers);

  it("cancels open calls (CANCELLED), and a later bidi() fails with UNAVAILABLE", async () => {
    const client = new GrpcClient({ address: served.fixture.address });
    const { done } = await openCall(client, "hang", "closed-client");
    client.close();
    const result = await within(5000, "the open call to end", done);
    assertFailed(result, Status.CANCELLED);
    const observed = seen.get("closed-client");
    assert.ok(observed, "the handler ran");
    await within(5000, "the handler's cancelled event", observed.cancelled);

    const late = client.bidi(BYTES_BIDI, bytesCodec);
    late.write(Buffer.from("too late"));
    const refused = await within(5000, "the call after close()", outcome(late));
    assertFailed(refused, Status.UNAVAILABLE, /closed/);
  });
});
