import assert from "node:assert/strict";
import { once } from "node:events";
import { describe, it } from "node:test";
import { Metadata, status as Status } from "@grpc/grpc-js";
import type { BidiCall, UnaryCall } from "./calls.js";
import { callUnary, collect, newClient, startServer, within } from "./test-support.js";

describe("a call whose handler throws while receiving", () => {
  it("fails that call alone: the connection and its other calls go on", async () => {
    const fixture = await startServer({
      bidi: (call: BidiCall) => {
        call.on("data", () => {
          throw new Error("the handler broke on a message");
        });
        // Flowing by the time the client writes: the listener runs inside the server's read.
        call.sendMetadata();
      },
      unary: (call: UnaryCall, callback: (error: null, value: unknown) => void) => callback(null, call.request),
    });
    const client = newClient(fixture.address);
    try {
      const before = await callUnary(client, { n: 1 });
      assert.equal(before.status.code, Status.OK);
      const broken = client.bidi(new Metadata(), {});
      const outcome = collect(broken);
      await within(5000, "the response headers", once(broken, "metadata"));
      broken.write({ hello: 1 });
      const result = await within(5000, "the broken call to end", outcome);
      assert.equal(result.status.code, Status.INTERNAL, "the stream is reset with INTERNAL_ERROR");
      const after = await callUnary(client, { n: 2 });
      assert.equal(after.status.code, Status.OK, "the same connection still serves calls");
      assert.deepEqual(after.value, { n: 2 });
    } finally {
      client.close();
      await fixture.close();
    }
  });
});
