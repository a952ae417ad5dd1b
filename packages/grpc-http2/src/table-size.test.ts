import assert from "node:assert/strict";
import * as http2 from "node:http2";
import * as net from "node:net";
import { describe, it } from "node:test";
import type { UnaryCall } from "./calls.js";
import { UNARY_PATH, startServer } from "./test-support.js";

/** One gRPC unary call with Node's HTTP/2 client, whose HPACK table is `headerTableSize` bytes. */
async function callWithTable(socketPath: string, headerTableSize: number): Promise<{ headers: http2.IncomingHttpHeaders; trailers: http2.IncomingHttpHeaders; body: Buffer }> {
  const session = http2.connect("http://localhost", { createConnection: () => net.connect(socketPath), settings: { headerTableSize } });
  try {
    const body = Buffer.from(JSON.stringify({ n: 1 }));
    const framed = Buffer.concat([Buffer.from([0, 0, 0, 0, body.length]), body]);
    const stream = session.request({ ":method": "POST", ":path": UNARY_PATH, "content-type": "application/grpc", te: "trailers" });
    stream.end(framed);
    const [headers, trailers, chunks] = await Promise.all([
      new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
        stream.once("response", resolve);
        stream.once("error", reject);
      }),
      new Promise<http2.IncomingHttpHeaders>((resolve) => stream.once("trailers", resolve)),
      (async () => {
        const parts: Buffer[] = [];
        for await (const part of stream) parts.push(part as Buffer);
        return parts;
      })(),
    ]);
    return { headers, trailers, body: Buffer.concat(chunks) };
  } finally {
    session.close();
  }
}

describe("HPACK table size chosen by the client", () => {
  for (const size of [0, 256, 4096]) {
    it(`answers a client whose decoder table is ${size} bytes (a shrunk table is acknowledged with a size update)`, async () => {
      const fixture = await startServer({
        unary: (call: UnaryCall, callback: (error: null, value: unknown) => void) => callback(null, { echo: call.request }),
      });
      try {
        for (let i = 0; i < 3; i++) {
          const { headers, trailers, body } = await callWithTable(fixture.socketPath, size);
          assert.equal(headers[":status"], 200);
          assert.equal(trailers["grpc-status"], "0");
          assert.deepEqual(JSON.parse(body.subarray(5).toString()), { echo: { n: 1 } });
        }
      } finally {
        await fixture.close();
      }
    });
  }
});
