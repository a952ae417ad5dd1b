/*
 * Edges of the call API that handlers written for grpc-js's server rely on: trailing metadata on streaming calls
 * and errors, large messages both ways, oversized request metadata, a response that ends before the request
 * does, and what a handler sees once its caller has gone.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import * as net from "node:net";
import { describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import type { BidiCall, ServerStreamCall, UnaryCall } from "./calls.js";
import { HpackEncoder } from "./hpack/index.js";
import type { TestClient } from "./test-support.js";
import { FLAG, FRAME, PREFACE, callUnary, collect, delay, frame, newClient, parseFrames, startServer, testService, until, within } from "./test-support.js";

const { status: Status, Metadata } = grpc;
const MiB = 1024 * 1024;
const BIDI_PATH = testService.bidi!.path;

function trailer(value: string): grpc.Metadata {
  const metadata = new Metadata();
  metadata.set("x-trailer", value);
  return metadata;
}

async function withServer(
  handlers: Record<string, (...args: never[]) => void>,
  body: (client: TestClient) => Promise<void>,
  clientOptions: grpc.ChannelOptions = {},
): Promise<void> {
  const fixture = await startServer(handlers);
  const client = newClient(fixture.address, clientOptions);
  try {
    await body(client);
  } finally {
    client.close();
    await fixture.close();
  }
}

describe("metadata on errors and streaming ends", () => {
  it("sends the metadata of a unary callback's error as trailers (trailers-only response)", async () => {
    await withServer(
      {
        unary(_call: UnaryCall, callback: (error: unknown) => void) {
          callback({ code: Status.NOT_FOUND, details: "gone", metadata: trailer("on-error") });
        },
      },
      async (client) => {
        const outcome = await callUnary(client, {});
        assert.equal(outcome.error?.code, Status.NOT_FOUND);
        assert.deepEqual(outcome.status.metadata.get("x-trailer"), ["on-error"]);
      },
    );
  });

  it("sends the trailer argument of a unary callback that fails (callback(error, null, trailer)), as grpc-js does", async () => {
    await withServer(
      {
        unary(_call: UnaryCall, callback: (error: unknown, value: null, trailer: grpc.Metadata) => void) {
          callback({ code: Status.NOT_FOUND, details: "gone" }, null, trailer("third-argument"));
        },
      },
      async (client) => {
        const outcome = await callUnary(client, {});
        assert.equal(outcome.error?.code, Status.NOT_FOUND);
        assert.deepEqual(outcome.status.metadata.get("x-trailer"), ["third-argument"]);
      },
    );
  });

  it("sends the metadata of a status a streaming handler emits as an error", async () => {
    await withServer(
      {
        serverStream(call: ServerStreamCall) {
          call.write({ i: 0 });
          call.emit("error", { code: Status.ABORTED, details: "stop", metadata: trailer("stream-error") });
        },
      },
      async (client) => {
        const outcome = await collect(client.serverStream({}, new Metadata(), {}));
        assert.equal(outcome.error?.code, Status.ABORTED);
        assert.deepEqual(outcome.status.metadata.get("x-trailer"), ["stream-error"]);
      },
    );
  });

  it("sends trailing metadata given to a server stream's end(metadata), as grpc-js's ServerWritableStream does", async () => {
    await withServer(
      {
        serverStream(call: ServerStreamCall) {
          call.write({ i: 0 });
          (call.end as (metadata: grpc.Metadata) => void)(trailer("stream-end"));
        },
      },
      async (client) => {
        const outcome = await collect(client.serverStream({}, new Metadata(), {}));
        assert.equal(outcome.error, undefined, outcome.error?.message);
        assert.deepEqual(outcome.messages, [{ i: 0 }], "end(metadata) does not send the metadata as a message");
        assert.deepEqual(outcome.status.metadata.get("x-trailer"), ["stream-end"]);
      },
    );
  });

  it("sends trailing metadata given to a bidi call's end(metadata), as grpc-js's ServerDuplexStream does", async () => {
    await withServer(
      {
        bidi(call: BidiCall) {
          call.on("end", () => (call.end as (metadata: grpc.Metadata) => void)(trailer("bidi-end")));
          call.resume();
        },
      },
      async (client) => {
        const call = client.bidi(new Metadata(), {});
        const done = collect(call);
        call.write({ n: 1 });
        call.end();
        const outcome = await done;
        assert.equal(outcome.error, undefined, outcome.error?.message);
        assert.deepEqual(outcome.messages, []);
        assert.deepEqual(outcome.status.metadata.get("x-trailer"), ["bidi-end"]);
      },
    );
  });
});

describe("large messages", () => {
  it("round-trips an 8 MiB unary request and response (larger than every window)", async () => {
    const payload = Buffer.alloc(8 * MiB);
    for (let i = 0; i < payload.length; i += 4) payload.writeUInt32BE(i, i);
    await withServer(
      {
        bytesUnary(call: UnaryCall, callback: (error: null, value: Buffer) => void) {
          const request = call.request as Buffer;
          callback(null, Buffer.from(request).reverse());
        },
      },
      async (client) => {
        const outcome = await within(60_000, "the 8 MiB call", callUnary(client, payload, { method: "bytesUnary" }));
        assert.equal(outcome.error, undefined, outcome.error?.message);
        assert.ok(Buffer.from(payload).reverse().equals(outcome.value as Buffer), "the response is the request reversed");
      },
      { "grpc.max_receive_message_length": -1 },
    );
  });
});

describe("request headers over maxHeaderListSize", () => {
  it("fails only the call whose metadata is too large; a call in flight on the same connection completes", async () => {
    let release: (() => void) | undefined;
    const fixture = await startServer(
      {
        unary(_call: UnaryCall, callback: (error: null, value: unknown) => void) {
          callback(null, { ok: true });
        },
        serverStream(call: ServerStreamCall) {
          call.write({ i: 0 });
          release = () => {
            call.write({ i: 1 });
            call.end();
          };
        },
      },
      { maxHeaderListSize: 4096 },
    );
    const client = newClient(fixture.address);
    try {
      const stream = client.serverStream({}, new Metadata(), {});
      const streamDone = collect(stream);
      await within(5000, "the first message", once(stream, "data"));
      const big = new Metadata();
      big.set("x-big", "a".repeat(8192));
      const refused = await within(5000, "the oversized call", callUnary(client, {}, { metadata: big }));
      assert.notEqual(refused.status.code, Status.OK, "the oversized call fails");
      assert.ok(release);
      release();
      const outcome = await within(5000, "the call in flight", streamDone);
      assert.equal(outcome.error, undefined, `the call in flight failed: ${outcome.error?.message}`);
      assert.deepEqual(outcome.messages, [{ i: 0 }, { i: 1 }]);
    } finally {
      client.close();
      await fixture.close();
    }
  });
});

describe("responses that end before the request does", () => {
  it("ends a bidi call OK when the handler ends while the client is still sending", async () => {
    await withServer(
      {
        bidi(call: BidiCall) {
          call.once("data", (message: unknown) => {
            call.write({ first: message });
            call.end();
          });
        },
      },
      async (client) => {
        const call = client.bidi(new Metadata(), {});
        const done = collect(call);
        call.write({ n: 0 });
        // Keep sending after the response has ended.
        for (let n = 1; n <= 50; n++) {
          call.write({ n, pad: "p".repeat(10_000) });
          await delay(1);
        }
        const outcome = await within(10_000, "the call to end", done);
        call.end();
        assert.equal(outcome.error, undefined, outcome.error?.message);
        assert.equal(outcome.status.code, Status.OK);
        assert.deepEqual(outcome.messages, [{ first: { n: 0 } }]);
        // The connection is fine afterwards.
        const next = client.bidi(new Metadata(), {});
        const nextDone = collect(next);
        next.write({ n: 7 });
        next.end();
        assert.deepEqual((await within(10_000, "the next call", nextDone)).messages, [{ first: { n: 7 } }]);
      },
    );
  });
});

describe("after the caller has gone", () => {
  for (const kind of ["serverStream", "bidi"] as const) {
    it(`completes a ${kind} call's write after cancellation exactly once, without an error event`, async () => {
      let handler: ServerStreamCall | BidiCall | undefined;
      const errors: Error[] = [];
      await withServer(
        {
          [kind](call: ServerStreamCall | BidiCall) {
            handler = call;
            call.on("error", (error: Error) => errors.push(error));
            call.write({ i: 0 });
          },
        },
        async (client) => {
          const call = kind === "bidi" ? client.bidi(new Metadata(), {}) : client.serverStream({}, new Metadata(), {});
          const done = collect(call);
          await within(5000, "the first message", once(call, "data"));
          call.cancel();
          await done;
          const server = handler!;
          await until(() => server.cancelled, "the server call to be cancelled");
          let callbacks = 0;
          server.write({ i: 1 }, () => callbacks++);
          await until(() => callbacks > 0, "the write callback");
          await delay(50);
          assert.equal(callbacks, 1, "the write callback ran once");
          assert.deepEqual(
            errors.map((error) => error.message),
            [],
          );
        },
      );
    });
  }

  it("answers INTERNAL for a response that fails to serialize, calling the write callback once", async () => {
    const errors: Error[] = [];
    let callbacks = 0;
    await withServer(
      {
        serverStream(call: ServerStreamCall) {
          call.on("error", (error: Error) => errors.push(error));
          call.write({ big: 1n }, () => callbacks++);
        },
      },
      async (client) => {
        const outcome = await collect(client.serverStream({}, new Metadata(), {}));
        assert.equal(outcome.error?.code, Status.INTERNAL);
        assert.match(outcome.error?.details ?? "", /serialize/);
        await delay(50);
        assert.equal(callbacks, 1);
        assert.deepEqual(
          errors.map((error) => error.message),
          [],
        );
      },
    );
  });

  it("destroys a server stream whose caller cancelled (grpc-js does), so 'close', finished() and pipeline() settle", async () => {
    let closed: Promise<unknown> | undefined;
    await withServer(
      {
        serverStream(call: ServerStreamCall) {
          closed = once(call, "close");
          call.write({ i: 0 });
        },
      },
      async (client) => {
        const call = client.serverStream({}, new Metadata(), {});
        const done = collect(call);
        await within(5000, "the first message", once(call, "data"));
        call.cancel();
        await done;
        assert.ok(closed);
        await within(2000, "the server stream's close event after cancellation", closed);
      },
    );
  });

  it("ends a `for await` loop over a bidi call when the caller resets the stream (grpc-js destroys the stream)", async () => {
    let loopFinished: Promise<string> | undefined;
    const fixture = await startServer({
      bidi(call: BidiCall) {
        loopFinished = forAwaitEcho(call);
      },
    });
    const socket = net.connect(fixture.socketPath);
    socket.on("error", () => {});
    const received: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => received.push(chunk));
    try {
      await once(socket, "connect");
      const headers = new HpackEncoder().encode([
        [":method", "POST"],
        [":scheme", "http"],
        [":path", BIDI_PATH],
        [":authority", "localhost"],
        ["content-type", "application/grpc"],
        ["te", "trailers"],
      ]);
      const body = Buffer.from(JSON.stringify({ n: 1 }));
      const prefix = Buffer.alloc(5);
      prefix.writeUInt32BE(body.length, 1);
      socket.write(
        Buffer.concat([
          PREFACE,
          frame(FRAME.SETTINGS, 0, 0),
          frame(FRAME.HEADERS, FLAG.END_HEADERS, 1, headers),
          frame(FRAME.DATA, 0, 1, Buffer.concat([prefix, body])),
        ]),
      );
      await until(() => parseFrames(Buffer.concat(received)).some((f) => f.type === FRAME.DATA && f.streamId === 1), "the echo");
      const code = Buffer.alloc(4);
      code.writeUInt32BE(0x8); // CANCEL
      socket.write(frame(FRAME.RST_STREAM, 0, 1, code));
      assert.ok(loopFinished);
      await within(2000, "the handler's for-await loop to finish after RST_STREAM", loopFinished);
    } finally {
      socket.destroy();
      await fixture.close();
    }
  });

  it("ends a `for await` loop over a bidi call when the server closes", async () => {
    let loopFinished: Promise<string> | undefined;
    const fixture = await startServer({
      bidi(call: BidiCall) {
        loopFinished = forAwaitEcho(call);
      },
    });
    const client = newClient(fixture.address);
    try {
      const call = client.bidi(new Metadata(), {});
      const done = collect(call);
      call.write({ n: 1 });
      await within(5000, "the echo", once(call, "data"));
      await within(5000, "close()", fixture.server.close());
      await done;
      assert.ok(loopFinished);
      await within(2000, "the handler's for-await loop to finish after close()", loopFinished);
    } finally {
      client.close();
      await fixture.close();
    }
  });

});

async function forAwaitEcho(call: BidiCall): Promise<string> {
  try {
    for await (const message of call) call.write(message);
    return "ended";
  } catch (error) {
    return `threw ${(error as Error).message}`;
  }
}
