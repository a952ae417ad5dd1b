import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Code } from "@jumpstarter/core";
import { serve } from "@jumpstarter/core/testing";
import { NetworkClient } from "./client.js";
import { runNetworkContract, startUnixEchoPeer } from "./contract.js";
import { UnixNetwork } from "./unix.js";

runNetworkContract((peer) => new UnixNetwork({ path: peer.path }), startUnixEchoPeer, { name: "UnixNetwork" });

describe("UnixNetwork", () => {
  it("fails connect with a readable message when the socket file is missing", async () => {
    await using served = await serve(new UnixNetwork({ path: "/nonexistent/jumpstarter.sock" }), { client: NetworkClient });
    await assert.rejects(served.client.connect(), {
      code: Code.INTERNAL,
      message: "cannot connect to unix socket /nonexistent/jumpstarter.sock: no such socket file (ENOENT)",
    });
  });
});
