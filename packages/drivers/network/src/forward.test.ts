import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Code } from "@jumpstarter/core";
import type { JumpstarterError } from "@jumpstarter/core";
import { eventually, serve, within } from "@jumpstarter/core/testing";
import { NetworkClient } from "./client.js";
import { EchoNetwork } from "./echo.js";
import { startTcpEchoPeer } from "./peers.js";
import { StreamReader } from "./stream-reader.js";
import { TcpNetwork } from "./tcp.js";

async function dial(port: number): Promise<Socket> {
  const socket = connect({ port, host: "127.0.0.1", allowHalfOpen: true });
  await once(socket, "connect");
  return socket;
}

describe("NetworkClient.forwardTcp", () => {
  it("relays each local connection over its own stream, half-close included", async () => {
    await using peer = await startTcpEchoPeer();
    await using served = await serve(new TcpNetwork({ host: peer.host, port: peer.port }), { client: NetworkClient });
    await using forward = await served.client.forwardTcp();
    assert.equal(forward.host, "127.0.0.1");
    assert.equal(forward.address, `127.0.0.1:${forward.port}`);

    const [first, second] = await Promise.all([dial(forward.port!), dial(forward.port!)]);
    const [firstReader, secondReader] = [new StreamReader(first), new StreamReader(second)];
    first.write("one");
    second.write("two");
    assert.equal((await firstReader.read(3)).toString(), "one");
    assert.equal((await secondReader.read(3)).toString(), "two");
    await eventually(() => peer.openConnections === 2, "two peer connections");

    const eof = once(peer.events!, "eof");
    first.end("bye");
    await eof;
    assert.equal((await firstReader.readToEnd()).toString(), "bye");
    await eventually(() => peer.openConnections === 1, "the first peer connection to close");
    second.destroy();
    await eventually(() => peer.openConnections === 0 && forward.connections === 0, "everything to close");
  });

  it("carries 4 MiB byte-exact through a local socket", { timeout: 120_000 }, async () => {
    await using peer = await startTcpEchoPeer();
    await using served = await serve(new TcpNetwork({ host: peer.host, port: peer.port }), { client: NetworkClient });
    await using forward = await served.client.forwardTcp();
    const socket = await dial(forward.port!);
    const reader = new StreamReader(socket);
    const payload = randomBytes(4 * 1024 * 1024);
    socket.end(payload);
    const echoed = await within(reader.readToEnd(), "the echo of 4 MiB");
    assert.equal(echoed.length, payload.length);
    assert.equal(createHash("sha256").update(echoed).digest("hex"), createHash("sha256").update(payload).digest("hex"));
  });

  it("drops a local connection whose stream cannot be opened and reports why", async () => {
    const gone = await startTcpEchoPeer();
    const port = gone.port;
    await gone.close();
    await using served = await serve(new TcpNetwork({ host: "127.0.0.1", port }), { client: NetworkClient });
    const errors: unknown[] = [];
    await using forward = await served.client.forwardTcp(0, "127.0.0.1", { onError: (error) => errors.push(error) });
    const socket = await dial(forward.port!);
    socket.resume();
    await once(socket, "end");
    assert.equal(errors.length, 1);
    assert.equal((errors[0] as JumpstarterError).code, Code.UNAVAILABLE);
  });

  it("stops listening and drops open connections on close", async () => {
    await using served = await serve(new EchoNetwork(), { client: NetworkClient });
    const forward = await served.client.forwardTcp();
    const port = forward.port!;
    const socket = await dial(port);
    const reader = new StreamReader(socket);
    socket.write("x");
    await reader.read(1);
    const ended = once(socket, "end");
    await forward.close();
    await ended;
    const refused = connect({ port, host: "127.0.0.1" });
    const [error] = (await once(refused, "error")) as [NodeJS.ErrnoException];
    assert.equal(error.code, "ECONNREFUSED");
  });
});

describe("NetworkClient.forwardUnix", () => {
  it("relays connections to a unix socket and removes it on close", async () => {
    const directory = await mkdtemp(join(tmpdir(), "jumpstarter-forward-"));
    try {
      const path = join(directory, "forward.sock");
      await using served = await serve(new EchoNetwork(), { client: NetworkClient });
      const forward = await served.client.forwardUnix(path);
      assert.equal(forward.address, path);
      assert.equal(forward.port, undefined);
      const socket = connect({ path, allowHalfOpen: true });
      await once(socket, "connect");
      const reader = new StreamReader(socket);
      socket.end("through a unix socket");
      assert.equal((await reader.readToEnd()).toString(), "through a unix socket");
      await forward.close();
      assert.equal(existsSync(path), false);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
