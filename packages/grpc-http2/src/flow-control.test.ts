/*
 * Flow control with grpc-js's client: a large bidi echo with wide windows on both sides must not deadlock, and a
 * handler that reads slowly must hold the client back (received bytes bounded by the windows granted).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { once } from "node:events";
import http2 from "node:http2";
import * as net from "node:net";
import { describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import type { BidiCall, ServerStreamCall } from "./calls.js";
import type { TestClient } from "./test-support.js";
import { collect, delay, newClient, startServer, testService, within } from "./test-support.js";

const MiB = 1024 * 1024;
const MESSAGE = 64 * 1024;
const TOTAL = 64 * MiB;

/** Message `i` of a transfer: its index, then a pattern that depends on it (so reordering would show). */
function message(i: number): Buffer {
  const buffer = Buffer.alloc(MESSAGE, (i * 37 + 11) & 0xff);
  buffer.writeUInt32BE(i, 0);
  buffer.writeUInt32BE((i ^ 0xa5a5a5a5) >>> 0, MESSAGE - 4);
  return buffer;
}

/** Writes TOTAL bytes in MESSAGE-sized messages, honouring backpressure; `onWritten` sees each write complete. */
async function upload(call: grpc.ClientDuplexStream<unknown, unknown>, onWritten: (bytes: number) => void) {
  const hash = createHash("sha256");
  for (let i = 0; i < TOTAL / MESSAGE; i++) {
    const chunk = message(i);
    hash.update(chunk);
    if (!call.write(chunk, () => onWritten(chunk.length))) await once(call, "drain");
  }
  call.end();
  return hash.digest("hex");
}

describe("flow control", () => {
  it("echoes 64 MiB over a bidi call with wide windows on both sides, byte-exact, without deadlock", { timeout: 120_000 }, async () => {
    const fixture = await startServer({
      bytesBidi(call: BidiCall) {
        call.pipe(call);
      },
    });
    const client: TestClient = newClient(fixture.address, { "grpc-node.flow_control_window": 8 * MiB });
    try {
      const call = client.bytesBidi(new grpc.Metadata(), {});
      const received = createHash("sha256");
      let receivedBytes = 0;
      let receivedMessages = 0;
      let inOrder = true;
      call.on("data", (chunk: Buffer) => {
        if (chunk.length !== MESSAGE || chunk.readUInt32BE(0) !== receivedMessages) inOrder = false;
        receivedMessages++;
        receivedBytes += chunk.length;
        received.update(chunk);
      });
      const done = collect(call);
      const sent = await within(90_000, "the upload", upload(call, () => {}));
      const outcome = await within(90_000, "the echo to end", done);
      assert.equal(outcome.error, undefined, outcome.error?.message);
      assert.equal(outcome.status.code, grpc.status.OK);
      assert.equal(receivedBytes, TOTAL);
      assert.ok(inOrder, "every echoed message arrived whole and in order");
      assert.equal(received.digest("hex"), sent);
    } finally {
      client.close();
      await fixture.close();
    }
  });

  it("holds back a 64 MiB upload while the handler reads slowly (bounded buffering)", { timeout: 120_000 }, async () => {
    const streamWindow = 1 * MiB;
    const connectionWindow = 2 * MiB;
    // Beyond the windows: grpc-js completes writes into its retry buffer (256 KiB) before they are sent, the
    // handler's readable side holds up to 16 messages plus the rest of the payload that filled it, and window
    // updates are batched (a quarter of a window).
    const margin = 4 * MiB;
    const bound = streamWindow + connectionWindow + margin;

    let handlerBytes = 0;
    let handlerCall: BidiCall | undefined;
    const handlerHash = createHash("sha256");
    const fixture = await startServer(
      {
        bytesBidi(call: BidiCall) {
          // Reads nothing until the test lets it (a Duplex starts paused).
          handlerCall = call;
        },
      },
      { streamWindow, connectionWindow },
    );
    const client: TestClient = newClient(fixture.address);
    try {
      const call = client.bytesBidi(new grpc.Metadata(), {});
      const done = collect(call);
      let written = 0;
      let maxAhead = 0;
      const uploading = upload(call, (bytes) => {
        written += bytes;
        maxAhead = Math.max(maxAhead, written - handlerBytes);
      });
      let uploadError: unknown;
      uploading.catch((error: unknown) => (uploadError = error));

      // Phase 1: the handler reads nothing. The client must stall well short of the whole upload.
      let last = -1;
      let stable = 0;
      const stalledBy = Date.now() + 30_000;
      while (stable < 5) {
        assert.ok(Date.now() < stalledBy, "the client never stalled");
        await delay(50);
        if (uploadError) throw uploadError;
        if (written === last && written > 0) stable++;
        else stable = 0;
        last = written;
      }
      assert.ok(handlerCall, "the handler ran");
      assert.equal(handlerBytes, 0);
      assert.ok(written < TOTAL, `the client wrote all ${written} bytes to a handler that read nothing`);
      assert.ok(written <= bound, `the client got ${written} bytes ahead of a handler that read nothing (bound ${bound})`);
      assert.ok(written >= streamWindow / 2, `the client stalled after only ${written} bytes`);

      // Phase 2: the handler reads, pausing for a while after every 2 MiB.
      const server = handlerCall;
      let sincePause = 0;
      server.on("data", (chunk: Buffer) => {
        handlerBytes += chunk.length;
        handlerHash.update(chunk);
        sincePause += chunk.length;
        if (sincePause >= 2 * MiB) {
          sincePause = 0;
          server.pause();
          setTimeout(() => server.resume(), 20);
        }
      });
      server.on("end", () => {
        server.write(Buffer.from(JSON.stringify({ bytes: handlerBytes, sha: handlerHash.digest("hex") })));
        server.end();
      });

      const sent = await within(90_000, "the upload", uploading);
      const outcome = await within(90_000, "the call to end", done);
      assert.equal(outcome.error, undefined, outcome.error?.message);
      assert.equal(outcome.messages.length, 1);
      const summary = JSON.parse((outcome.messages[0] as Buffer).toString()) as { bytes: number; sha: string };
      assert.equal(summary.bytes, TOTAL);
      assert.equal(summary.sha, sent);
      assert.equal(written, TOTAL);
      assert.ok(maxAhead <= bound, `the client got ${maxAhead} bytes ahead of the handler (bound ${bound})`);
    } finally {
      client.close();
      await fixture.close();
    }
  });

  it("holds back a server stream whose client reads slowly (write callbacks follow the client's windows)", { timeout: 120_000 }, async () => {
    // Node's http2 client: unlike grpc-js's client (which keeps reading from the connection while its stream is
    // paused), it stops granting window while a stream is paused. Its windows are the 64 KiB defaults.
    const total = 16 * MiB;
    const bound = 1 * MiB;
    let handlerWritten = 0;
    let handlerSent: Promise<string> | undefined;
    const fixture = await startServer({
      bytesServerStream(call: ServerStreamCall) {
        handlerSent = (async () => {
          const hash = createHash("sha256");
          for (let i = 0; i < total / MESSAGE; i++) {
            const chunk = message(i);
            hash.update(chunk);
            if (!call.write(chunk, () => (handlerWritten += chunk.length))) await once(call, "drain");
          }
          call.end();
          return hash.digest("hex");
        })();
      },
    });
    const session = http2.connect("http://localhost", { createConnection: () => net.connect(fixture.socketPath) });
    session.on("error", () => {});
    try {
      const stream = session.request({ ":method": "POST", ":path": testService.bytesServerStream!.path, "content-type": "application/grpc", te: "trailers" });
      stream.end(Buffer.alloc(5)); // one empty message
      stream.pause();
      let trailers: http2.IncomingHttpHeaders | undefined;
      stream.on("trailers", (value) => (trailers = value));

      // Phase 1: the client reads nothing; the handler's writes must stall well short of the whole stream.
      await delay(100);
      let last = -1;
      let stable = 0;
      const stalledBy = Date.now() + 30_000;
      while (stable < 5) {
        assert.ok(Date.now() < stalledBy, "the handler never stalled");
        await delay(50);
        if (handlerWritten === last) stable++;
        else stable = 0;
        last = handlerWritten;
      }
      assert.ok(handlerSent, "the handler ran");
      assert.ok(handlerWritten <= bound, `the handler got ${handlerWritten} bytes ahead of a client that read nothing (bound ${bound})`);

      // Phase 2: the client reads, pausing now and then; messages are reassembled from the DATA bytes.
      const received = createHash("sha256");
      let receivedBytes = 0;
      let maxAhead = 0;
      let pending = Buffer.alloc(0);
      let sincePause = 0;
      stream.on("data", (chunk: Buffer) => {
        pending = Buffer.concat([pending, chunk]);
        while (pending.length >= 5 && pending.length >= 5 + pending.readUInt32BE(1)) {
          const size = pending.readUInt32BE(1);
          const body = pending.subarray(5, 5 + size);
          received.update(body);
          receivedBytes += size;
          pending = pending.subarray(5 + size);
        }
        maxAhead = Math.max(maxAhead, handlerWritten - receivedBytes);
        sincePause += chunk.length;
        if (sincePause >= 2 * MiB) {
          sincePause = 0;
          stream.pause();
          setTimeout(() => stream.resume(), 20);
        }
      });
      stream.resume();
      await within(90_000, "the stream to end", once(stream, "close"));
      assert.equal(trailers?.["grpc-status"], "0");
      assert.equal(receivedBytes, total);
      assert.equal(pending.length, 0);
      assert.ok(handlerSent);
      assert.equal(received.digest("hex"), await handlerSent);
      assert.ok(maxAhead <= bound, `the handler got ${maxAhead} bytes ahead of the client (bound ${bound})`);
    } finally {
      session.close();
      await fixture.close();
    }
  });
});
