/*
 * HTTP/2-level behaviour: Node's http2 client for requests that are not gRPC, bare sockets for malformed
 * connections (each followed by a grpc-js call on a new connection), and TLS.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import http2 from "node:http2";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import type { UnaryCall } from "./calls.js";
import { GrpcServer } from "./server.js";
import { selfSignedCertificate } from "./testing.js";
import type { Fixture } from "./test-support.js";
import {
  FLAG,
  FRAME,
  PREFACE,
  UNARY_PATH,
  callUnary,
  frame,
  goaways,
  newClient,
  parseFrames,
  rawExchange,
  startServer,
  testService,
  within,
} from "./test-support.js";

const handlers = {
  unary(call: UnaryCall, callback: (error: null, value: unknown) => void) {
    callback(null, { echo: call.request, peer: call.getPeer() });
  },
};

/** A grpc-js call on a new channel (so a new connection) must succeed. */
async function assertServes(address: string, credentials?: grpc.ChannelCredentials): Promise<void> {
  const client = newClient(address, {}, credentials);
  try {
    const outcome = await within(10_000, "a call on a new connection", callUnary(client, "ping", { deadline: Date.now() + 8000 }));
    assert.equal(outcome.error, undefined, outcome.error?.message);
    assert.equal((outcome.value as { echo: string }).echo, "ping");
  } finally {
    client.close();
  }
}

/** One request with Node's http2 client; returns the response headers. */
async function http2Request(socketPath: string, headers: http2.OutgoingHttpHeaders, body?: Buffer) {
  const session = http2.connect("http://localhost", { createConnection: () => net.connect(socketPath) });
  session.on("error", () => {});
  try {
    const stream = session.request(headers);
    stream.on("error", () => {});
    stream.end(body);
    const [response] = (await within(5000, "the response", once(stream, "response"))) as [http2.IncomingHttpHeaders];
    stream.resume();
    await within(5000, "the stream to close", once(stream, "close"));
    return response;
  } finally {
    session.close();
  }
}

const EMPTY_SETTINGS = frame(FRAME.SETTINGS, 0, 0);

describe("requests that are not gRPC", () => {
  let fixture: Fixture;
  before(async () => (fixture = await startServer(handlers)));
  after(() => fixture.close());

  it("answers a GET with :status 405", async () => {
    const response = await http2Request(fixture.socketPath, { ":method": "GET", ":path": UNARY_PATH });
    assert.equal(response[":status"], 405);
    assert.equal(response["grpc-status"], undefined);
  });

  it("answers a POST with content-type text/plain with :status 415", async () => {
    const response = await http2Request(
      fixture.socketPath,
      { ":method": "POST", ":path": UNARY_PATH, "content-type": "text/plain" },
      Buffer.from("hello"),
    );
    assert.equal(response[":status"], 415);
  });

  it("answers a POST with application/grpc+json (a gRPC subtype) as gRPC", async () => {
    const body = Buffer.from(JSON.stringify("sub"));
    const prefix = Buffer.alloc(5);
    prefix.writeUInt32BE(body.length, 1);
    const response = await http2Request(
      fixture.socketPath,
      { ":method": "POST", ":path": UNARY_PATH, "content-type": "application/grpc+json", te: "trailers" },
      Buffer.concat([prefix, body]),
    );
    assert.equal(response[":status"], 200);
  });

  it("still serves gRPC afterwards", async () => {
    await assertServes(fixture.address);
  });
});

describe("malformed connections", () => {
  let fixture: Fixture;
  before(async () => (fixture = await startServer(handlers)));
  after(() => fixture.close());

  it("answers a well-formed preface, SETTINGS and PING (the raw peer works)", async () => {
    const ping = Buffer.from("8 bytes!");
    const socket = net.connect(fixture.socketPath);
    const received: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => received.push(chunk));
    try {
      await once(socket, "connect");
      socket.write(Buffer.concat([PREFACE, EMPTY_SETTINGS, frame(FRAME.PING, 0, 0, ping)]));
      await within(5000, "the PING ack", (async () => {
        while (!parseFrames(Buffer.concat(received)).some((f) => f.type === FRAME.PING)) await once(socket, "data");
      })());
      const frames = parseFrames(Buffer.concat(received));
      assert.equal(frames[0]?.type, FRAME.SETTINGS, "the server's SETTINGS come first");
      assert.equal(frames[0]?.flags, 0);
      assert.ok(frames.some((f) => f.type === FRAME.SETTINGS && f.flags === FLAG.ACK), "our SETTINGS were acknowledged");
      const pong = frames.find((f) => f.type === FRAME.PING);
      assert.equal(pong?.flags, FLAG.ACK);
      assert.deepEqual(pong?.payload, ping);
      assert.deepEqual(goaways(frames), []);
    } finally {
      socket.destroy();
    }
  });

  it("sends GOAWAY and closes on bytes that are not the HTTP/2 preface", async () => {
    const { frames } = await rawExchange(fixture.socketPath, [Buffer.from("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", "latin1")]);
    const [goaway, ...more] = goaways(frames);
    assert.ok(goaway, "a GOAWAY was sent");
    assert.equal(more.length, 0);
    assert.equal(goaway.code, 0x1, "PROTOCOL_ERROR");
    await assertServes(fixture.address);
  });

  it("sends GOAWAY FRAME_SIZE_ERROR on a frame longer than 16384 bytes", async () => {
    const oversized = frame(FRAME.DATA, 0, 1, Buffer.alloc(16_385));
    const { frames } = await rawExchange(fixture.socketPath, [Buffer.concat([PREFACE, EMPTY_SETTINGS]), oversized]);
    const codes = goaways(frames).map((g) => g.code);
    assert.deepEqual(codes, [0x6]);
    await assertServes(fixture.address);
  });

  it("sends GOAWAY COMPRESSION_ERROR on a HEADERS frame with an invalid HPACK block", async () => {
    const headers = frame(FRAME.HEADERS, FLAG.END_HEADERS | FLAG.END_STREAM, 1, Buffer.from([0x80]));
    const { frames } = await rawExchange(fixture.socketPath, [Buffer.concat([PREFACE, EMPTY_SETTINGS, headers])]);
    assert.deepEqual(
      goaways(frames).map((g) => g.code),
      [0x9],
    );
    await assertServes(fixture.address);
  });

  it("sends GOAWAY PROTOCOL_ERROR on a DATA frame on stream 0", async () => {
    const data = frame(FRAME.DATA, 0, 0, Buffer.from("stray"));
    const { frames } = await rawExchange(fixture.socketPath, [Buffer.concat([PREFACE, EMPTY_SETTINGS, data])]);
    assert.deepEqual(
      goaways(frames).map((g) => g.code),
      [0x1],
    );
    await assertServes(fixture.address);
  });

  it("sends GOAWAY PROTOCOL_ERROR when the first frame is not SETTINGS", async () => {
    const { frames } = await rawExchange(fixture.socketPath, [Buffer.concat([PREFACE, frame(FRAME.PING, 0, 0, Buffer.alloc(8))])]);
    assert.deepEqual(
      goaways(frames).map((g) => g.code),
      [0x1],
    );
    await assertServes(fixture.address);
  });

  it("survives a connection that closes in the middle of a frame", async () => {
    const socket = net.connect(fixture.socketPath);
    socket.on("error", () => {});
    socket.resume();
    await once(socket, "connect");
    socket.write(Buffer.concat([PREFACE, EMPTY_SETTINGS, frame(FRAME.HEADERS, FLAG.END_HEADERS, 1, Buffer.alloc(0), 100)]));
    socket.end();
    await within(5000, "the close", once(socket, "close"));
    await assertServes(fixture.address);
  });
});

describe("TLS", () => {
  let directory: string;
  let cert: Buffer;
  let server: GrpcServer;
  let address: string;
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), "jmp-grpc-server-tls-"));
    let key: Buffer;
    ({ cert, key } = await selfSignedCertificate(directory, "jumpstarter-grpc-server-test"));
    server = new GrpcServer();
    server.addService(testService, handlers);
    address = await server.listen("127.0.0.1:0", { cert, key });
  });
  after(async () => {
    await server.close();
    await rm(directory, { recursive: true, force: true });
  });

  it("binds 127.0.0.1 with a kernel-chosen port", () => {
    assert.match(address, /^127\.0\.0\.1:[1-9][0-9]*$/);
  });

  it("serves a grpc-js client that trusts the certificate", async () => {
    await assertServes(address, grpc.credentials.createSsl(cert));
  });

  it("fails a plaintext client without crashing, then serves TLS again", async () => {
    const client = newClient(address);
    try {
      const outcome = await within(15_000, "the plaintext call", callUnary(client, "plain", { deadline: Date.now() + 5000 }));
      assert.ok(outcome.error, "the plaintext call failed");
      assert.equal(outcome.error.code, grpc.status.UNAVAILABLE, outcome.error.message);
    } finally {
      client.close();
    }
    await assertServes(address, grpc.credentials.createSsl(cert));
  });

  it("fails a client that does not trust the certificate", async () => {
    const client = newClient(address, {}, grpc.credentials.createSsl());
    try {
      const outcome = await within(15_000, "the untrusting call", callUnary(client, "x", { deadline: Date.now() + 5000 }));
      assert.equal(outcome.error?.code, grpc.status.UNAVAILABLE);
    } finally {
      client.close();
    }
    await assertServes(address, grpc.credentials.createSsl(cert));
  });
});
