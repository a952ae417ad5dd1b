import assert from "node:assert/strict";
import { once } from "node:events";
import { describe, it } from "node:test";
import { Metadata, status as Status } from "@grpc/grpc-js";
import type { BidiCall, UnaryCall } from "./calls.js";
import { GrpcServer } from "./server.js";
import { callUnary, collect, newClient, testService, within } from "./test-support.js";

describe("a call whose handler throws while receiving", () => {
  it("fails that call alone: the connection and its other calls go on", async () => {
    const peers: string[] = [];
    const server = new GrpcServer();
    server.addService(testService, {
      bidi: (call: BidiCall) => {
        call.on("data", () => {
          throw new Error("the handler broke on a message");
        });
        // Flowing by the time the client writes: the listener runs inside the server's read.
        call.sendMetadata();
      },
      unary: (call: UnaryCall, callback: (error: null, value: unknown) => void) => {
        peers.push(call.getPeer());
        callback(null, call.request);
      },
    });
    // TCP, so each connection has its own peer port.
    const client = newClient(await server.listen("127.0.0.1:0"));
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
      assert.equal(peers[1], peers[0], "on the same connection");
    } finally {
      client.close();
      await server.close();
    }
  });
});
