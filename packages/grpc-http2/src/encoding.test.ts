import assert from "node:assert/strict";
import * as http2 from "node:http2";
import * as net from "node:net";
import { describe, it } from "node:test";
import { status as Status } from "@grpc/grpc-js";
import type { UnaryCall } from "./calls.js";
import { UNARY_PATH, startServer } from "./test-support.js";

/** One request whose message has the compressed flag set, sent with `grpc-encoding: encoding`. */
async function compressedCall(socketPath: string, encoding: string | undefined): Promise<http2.IncomingHttpHeaders> {
  const session = http2.connect("http://localhost", { createConnection: () => net.connect(socketPath) });
  try {
    const body = Buffer.from("not really compressed");
    const framed = Buffer.concat([Buffer.from([1, 0, 0, 0, body.length]), body]);
    const headers: http2.OutgoingHttpHeaders = { ":method": "POST", ":path": UNARY_PATH, "content-type": "application/grpc", te: "trailers" };
    if (encoding !== undefined) headers["grpc-encoding"] = encoding;
    const stream = session.request(headers);
    stream.end(framed);
    // The status comes as trailers, or in the response headers of a trailers-only answer.
    const status = await new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
      stream.once("response", (response) => {
        if (response["grpc-status"] !== undefined) resolve(response);
      });
      stream.once("trailers", resolve);
      stream.once("error", reject);
      stream.once("close", () => reject(new Error(`stream closed without a status (RST_STREAM code ${stream.rstCode})`)));
    });
    stream.resume();
    return status;
  } finally {
    session.close();
  }
}

describe("compressed requests the server cannot inflate", () => {
  for (const [encoding, code, details] of [
    ["snappy", Status.UNIMPLEMENTED, /unsupported encoding "snappy"/],
    [undefined, Status.INTERNAL, /without a grpc-encoding/],
  ] as const) {
    it(`answers grpc-encoding ${encoding ?? "(none)"} with status ${code}, not a bare reset`, async () => {
      let reached = false;
      const fixture = await startServer({
        unary: (_call: UnaryCall, callback: (error: null, value: unknown) => void) => {
          reached = true;
          callback(null, {});
        },
      });
      try {
        const status = await compressedCall(fixture.socketPath, encoding);
        assert.equal(status["grpc-status"], String(code));
        assert.match(decodeURIComponent(String(status["grpc-message"])), details);
        assert.equal(reached, false, "the handler never ran");
      } finally {
        await fixture.close();
      }
    });
  }
});
