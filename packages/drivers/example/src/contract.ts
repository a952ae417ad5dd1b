/**
 * @module
 * `@jumpstarter/driver-example/testing`: the contract every implementation of the example interface passes,
 * through a real exporter session (`serve`) against a real TCP echo server on 127.0.0.1.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer } from "node:net";
import type { AddressInfo, Server } from "node:net";
import { describe, it } from "node:test";
import type { Driver } from "@jumpstarter/core";
import { serve } from "@jumpstarter/core/testing";
import { ExampleClient } from "./client.js";

/** A TCP echo server for `create_stream` to connect to. */
export interface EchoServer extends AsyncDisposable {
  readonly host: string;
  readonly port: number;
  readonly server: Server;
}

/** Starts a TCP echo server on a free port of 127.0.0.1. */
export async function startEchoServer(): Promise<EchoServer> {
  const server = createServer({ allowHalfOpen: true }, (socket) => socket.pipe(socket));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    host: "127.0.0.1",
    port: (server.address() as AddressInfo).port,
    server,
    [Symbol.asyncDispose]: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Registers the example contract for the driver `makeDriver` builds around an echo server. */
export function runExampleContract(name: string, makeDriver: (echo: { host: string; port: number }) => Driver): void {
  const start = async () => {
    const echo = await startEchoServer();
    const served = await serve(makeDriver(echo), { client: ExampleClient });
    return {
      client: served.client,
      [Symbol.asyncDispose]: async () => {
        await served.close();
        await echo[Symbol.asyncDispose]();
      },
    };
  };

  describe(`example contract: ${name}`, () => {
    it('query("test") answers "Hello, test!"', async () => {
      await using t = await start();
      assert.equal(await t.client.query("test"), "Hello, test!");
    });

    it("async_query answers through an async method", async () => {
      await using t = await start();
      assert.equal(await t.client.asyncQuery("test"), "Hello, test! (async)");
    });

    it("get_data streams three items", async () => {
      await using t = await start();
      const items = [];
      for await (const item of t.client.getData()) items.push(item);
      assert.deepEqual(items, [
        { index: 0, message: "item 0" },
        { index: 1, message: "item 1" },
        { index: 2, message: "item 2" },
      ]);
    });

    it("create_stream carries bytes to the TCP server and back", async () => {
      await using t = await start();
      const stream = await t.client.createStream();
      stream.end("hello through the exporter");
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      assert.equal(Buffer.concat(chunks).toString(), "hello through the exporter");
    });
  });
}
