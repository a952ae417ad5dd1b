/*
 * Flow control with grpc-js's client: a large bidi echo with wide windows on both sides must not deadlock, and a
 * handler that reads slowly must hold the client back (received bytes bounded by the windows granted).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { collect, delay, newClient, startServer, within } from "./test-support.js";
const MiB = 1024 * 1024;
const MESSAGE = 64 * 1024;
const TOTAL = 64 * MiB;
/** Message `i` of a transfer: its index, then a pattern that depends on it (so reordering would show). */
function message(i) {
    const buffer = Buffer.alloc(MESSAGE, (i * 37 + 11) & 0xff);
    buffer.writeUInt32BE(i, 0);
    buffer.writeUInt32BE((i ^ 0xa5a5a5a5) >>> 0, MESSAGE - 4);
    return buffer;
}
/** Writes TOTAL bytes in MESSAGE-sized messages, honouring backpressure; `onWritten` sees each write complete. */
async function upload(call, onWritten) {
    const hash = createHash("sha256");
    for (let i = 0; i < TOTAL / MESSAGE; i++) {
        const chunk = message(i);
        hash.update(chunk);
        if (!call.write(chunk, () => onWritten(chunk.length)))
            await once(call, "drain");
    }
    call.end();
    return hash.digest("hex");
}
describe("flow control", () => {
    it("echoes 64 MiB over a bidi call with wide windows on both sides, byte-exact, without deadlock", { timeout: 120_000 }, async () => {
        const fixture = await startServer({
            bytesBidi(call) {
                call.pipe(call);
            },
        });
        const client = newClient(fixture.address, { "grpc-node.flow_control_window": 8 * MiB });
        try {
            const call = client.bytesBidi(new grpc.Metadata(), {});
            const received = createHash("sha256");
            let receivedBytes = 0;
            let receivedMessages = 0;
            let inOrder = true;
            call.on("data", (chunk) => {
                if (chunk.length !== MESSAGE || chunk.readUInt32BE(0) !== receivedMessages)
                    inOrder = false;
                receivedMessages++;
                receivedBytes += chunk.length;
                received.update(chunk);
            });
            const done = collect(call);
            const sent = await within(90_000, "the upload", upload(call, () => { }));
            const outcome = await within(90_000, "the echo to end", done);
            assert.equal(outcome.error, undefined, outcome.error?.message);
            assert.equal(outcome.status.code, grpc.status.OK);
            assert.equal(receivedBytes, TOTAL);
            assert.ok(inOrder, "every echoed message arrived whole and in order");
            assert.equal(received.digest("hex"), sent);
        }
        finally {
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
        let handlerCall;
        const handlerHash = createHash("sha256");
        const fixture = await startServer({
            bytesBidi(call) {
                // Reads nothing until the test lets it (a Duplex starts paused).
                handlerCall = call;
            },
        }, { streamWindow, connectionWindow });
        const client = newClient(fixture.address);
        try {
            const call = client.bytesBidi(new grpc.Metadata(), {});
            const done = collect(call);
            let written = 0;
            let maxAhead = 0;
            const uploading = upload(call, (bytes) => {
                written += bytes;
                maxAhead = Math.max(maxAhead, written - handlerBytes);
            });
            let uploadError;
            uploading.catch((error) => (uploadError = error));
            // Phase 1: the handler reads nothing. The client must stall well short of the whole upload.
            let last = -1;
            let stable = 0;
            const stalledBy = Date.now() + 30_000;
            while (stable < 5) {
                assert.ok(Date.now() < stalledBy, "the client never stalled");
                await delay(50);
                if (uploadError)
                    throw uploadError;
                if (written === last && written > 0)
                    stable++;
                else
                    stable = 0;
                last = written;
            }
            assert.ok(handlerCall, "the handler ran");
            assert.equal(handlerBytes, 0);
            console.error("PLATEAU", written); assert.ok(written < TOTAL, `the client wrote all ${written} bytes to a handler that read nothing`);
            assert.ok(written <= bound, `the client got ${written} bytes ahead of a handler that read nothing (bound ${bound})`);
            assert.ok(written >= streamWindow / 2, `the client stalled after only ${written} bytes`);
            // Phase 2: the handler reads, pausing for a while after every 2 MiB.
            const server = handlerCall;
            let sincePause = 0;
            server.on("data", (chunk) => {
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
            const summary = JSON.parse(outcome.messages[0].toString());
            assert.equal(summary.bytes, TOTAL);
            assert.equal(summary.sha, sent);
            assert.equal(written, TOTAL);
            console.error("MAXAHEAD", maxAhead); assert.ok(maxAhead <= bound, `the client got ${maxAhead} bytes ahead of the handler (bound ${bound})`);
        }
        finally {
            client.close();
            await fixture.close();
        }
    });
});
//# sourceMappingURL=flow-control.test.js.map