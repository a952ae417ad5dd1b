import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { Code } from "@jumpstarter/core";
import { serve } from "@jumpstarter/core/testing";
import { WebSocketServer } from "ws";
import { NetworkClient } from "./client.js";
import { runNetworkContract, startWebsocketEchoPeer } from "./contract.js";
import { StreamReader } from "./stream-reader.js";
import { WebsocketNetwork } from "./websocket.js";

runNetworkContract((peer) => new WebsocketNetwork({ url: peer.url }), startWebsocketEchoPeer, {
  name: "WebsocketNetwork",
  address: (peer) => peer.url,
  messages: true,
  halfClose: false,
});

describe("WebsocketNetwork", () => {
  it("delivers text messages as their UTF-8 bytes and sends client bytes as binary messages", async () => {
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await once(server, "listening");
    const received: Array<{ data: string; binary: boolean }> = [];
    server.on("connection", (socket) => {
      socket.send("héllo from the server");
      socket.on("message", (data, isBinary) => received.push({ data: String(data), binary: isBinary }));
    });
    try {
      const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await using served = await serve(new WebsocketNetwork({ url }), { client: NetworkClient });
      const stream = await served.client.connect();
      const reader = new StreamReader(stream);
      assert.equal((await reader.read(Buffer.byteLength("héllo from the server"))).toString(), "héllo from the server");
      stream.write("from the client");
      while (received.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      assert.deepEqual(received, [{ data: "from the client", binary: true }]);
      stream.destroy();
    } finally {
      for (const client of server.clients) client.terminate();
      server.close();
    }
  });

  it("fails connect with UNAVAILABLE when the server answers without upgrading", async () => {
    const http = createServer((_request, response) => response.writeHead(404).end());
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    try {
      const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/nowhere`;
      await using served = await serve(new WebsocketNetwork({ url }), { client: NetworkClient });
      await assert.rejects(served.client.connect(), { code: Code.UNAVAILABLE, message: /answered HTTP 404/ });
    } finally {
      http.close();
    }
  });

  it("fails connect with UNAVAILABLE when refused", async () => {
    const peer = await startWebsocketEchoPeer();
    const url = peer.url;
    await peer.close();
    await using served = await serve(new WebsocketNetwork({ url }), { client: NetworkClient });
    await assert.rejects(served.client.connect(), { code: Code.UNAVAILABLE, message: /connection refused/ });
  });

  it("rejects non-websocket URLs in config", () => {
    assert.equal(WebsocketNetwork.configSchema.safeParse({ url: "ws://h/x" }).success, true);
    assert.equal(WebsocketNetwork.configSchema.safeParse({ url: "http://h/x" }).success, false);
  });
});
