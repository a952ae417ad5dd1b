import assert from "node:assert/strict";
import { once } from "node:events";
import { describe, it } from "node:test";
import { Code } from "@jumpstarter/core";
import { serve } from "@jumpstarter/core/testing";
import { NetworkClient } from "./client.js";
import { collect, runNetworkContract, startUdpEchoPeer } from "./contract.js";
import { UdpNetwork } from "./udp.js";

runNetworkContract((peer) => new UdpNetwork({ host: peer.host, port: peer.port }), startUdpEchoPeer, {
  name: "UdpNetwork",
  address: (peer) => `udp://127.0.0.1:${peer.port}`,
  transport: "datagram",
  messages: true,
});

describe("UdpNetwork", () => {
  it("sends each client write as exactly one datagram to the peer", async () => {
    await using peer = await startUdpEchoPeer();
    const seen: string[] = [];
    peer.events?.on("datagram", (datagram: Buffer) => seen.push(datagram.toString()));
    await using served = await serve(new UdpNetwork({ host: peer.host, port: peer.port }), { client: NetworkClient });
    const stream = await served.client.connectDatagrams();
    // The three replies may arrive in one read and be emitted back to back: listen for all of them first.
    const replies = collect(stream, 3);
    for (const message of ["one", "two", "three"]) stream.write(message);
    assert.deepEqual((await replies).map(String), ["one", "two", "three"]);
    assert.deepEqual(seen, ["one", "two", "three"]);
    stream.destroy();
  });

  it("ends the client stream when the client ends its side", async () => {
    await using peer = await startUdpEchoPeer();
    await using served = await serve(new UdpNetwork({ host: peer.host, port: peer.port }), { client: NetworkClient });
    const stream = await served.client.connect();
    stream.end();
    stream.resume();
    await once(stream, "end");
  });

  it("reports a refused peer (ICMP port unreachable) as UNAVAILABLE on the stream", async () => {
    const peer = await startUdpEchoPeer();
    const port = peer.port;
    await peer.close();
    await using served = await serve(new UdpNetwork({ host: "127.0.0.1", port }), { client: NetworkClient });
    const stream = await served.client.connect();
    stream.resume();
    const failed = once(stream, "error");
    stream.write("anyone there?");
    const [error] = (await failed) as [{ code: Code }];
    assert.equal(error.code, Code.UNAVAILABLE);
  });

  it("rejects address() with INVALID_ARGUMENT when enable_address is false", async () => {
    await using served = await serve(new UdpNetwork({ host: "127.0.0.1", port: 9, enable_address: false }), { client: NetworkClient });
    await assert.rejects(served.client.address(), { code: Code.INVALID_ARGUMENT });
  });
});
