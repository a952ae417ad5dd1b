import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Code } from "@jumpstarter/core";
import { serve } from "@jumpstarter/core/testing";
import { NetworkClient } from "./client.js";
import { runNetworkContract, startTcpEchoPeer } from "./contract.js";
import { TcpNetwork } from "./tcp.js";

runNetworkContract((peer) => new TcpNetwork({ host: peer.host, port: peer.port }), startTcpEchoPeer, {
  name: "TcpNetwork",
  address: (peer) => `tcp://127.0.0.1:${peer.port}`,
});

describe("TcpNetwork", () => {
  it("fails connect with UNAVAILABLE and a readable message when refused", async () => {
    const peer = await startTcpEchoPeer();
    const port = peer.port;
    await peer.close();
    await using served = await serve(new TcpNetwork({ host: "127.0.0.1", port }), { client: NetworkClient });
    await assert.rejects(served.client.connect(), {
      code: Code.UNAVAILABLE,
      message: `cannot connect to tcp://127.0.0.1:${port}: connection refused (ECONNREFUSED)`,
    });
  });

  it("rejects address() with INVALID_ARGUMENT when enable_address is false", async () => {
    await using served = await serve(new TcpNetwork({ host: "127.0.0.1", port: 1, enable_address: false }), { client: NetworkClient });
    await assert.rejects(served.client.address(), { code: Code.INVALID_ARGUMENT, message: /enable_address is false/ });
  });

  it("brackets IPv6 hosts in address()", async () => {
    await using served = await serve(new TcpNetwork({ host: "::1", port: 8080 }), { client: NetworkClient });
    assert.equal(await served.client.address(), "tcp://[::1]:8080");
  });

  it("validates its config strictly", () => {
    assert.equal(TcpNetwork.configSchema.safeParse({ host: "h", port: 22 }).success, true);
    assert.equal(TcpNetwork.configSchema.safeParse({ host: "h", port: 22, enable_address: false }).success, true);
    assert.equal(TcpNetwork.configSchema.safeParse({ host: "h" }).success, false);
    assert.equal(TcpNetwork.configSchema.safeParse({ host: "h", port: 70000 }).success, false);
    assert.equal(TcpNetwork.configSchema.safeParse({ host: "h", port: 22, extra: 1 }).success, false);
  });
});
