import assert from "node:assert/strict";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, connect } from "node:net";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { connectExporter, FrameType, routerServiceDefinition, unsafeAllowlist } from "@jumpstarter/core";
import type { Frame } from "@jumpstarter/core";
import { startGrpcServer } from "../service/grpc-server.js";
import type { GrpcServer } from "../service/grpc-server.js";
import { openRawStream, rawRouterClient, routerToken, serveTunnelSession, statusOf } from "../testing/router-fixtures.js";
import { StreamRouter } from "./stream-router.js";
import { bridgeStreams, RouterTunnelClient } from "./tunnel.js";

const KEY = "router-test-key";

function frame(text: string, frameType: FrameType = FrameType.DATA): Frame {
  return { payload: Buffer.from(text), frameType };
}

function nextFrame(call: grpc.ClientDuplexStream<Frame, Frame>): Promise<Frame> {
  return once(call, "data").then(([data]) => data as Frame);
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(condition(), "condition not reached");
}

describe("router: RouterService.Stream", () => {
  let router: StreamRouter;
  let server: GrpcServer;
  let client: grpc.Client;

  beforeEach(async () => {
    router = new StreamRouter({ key: KEY });
    server = await startGrpcServer({ address: "127.0.0.1:0", services: [{ definition: routerServiceDefinition, implementation: router.service }] });
    client = rawRouterClient(server.address);
  });

  afterEach(async () => {
    client.close();
    router.close();
    await server.close();
  });

  const refused: [string, readonly string[], string][] = [
    ["no authorization header", [], "missing or invalid authorization: missing authorization header"],
    ["a non-bearer header", ["Basic abc"], "missing or invalid authorization: malformed authorization header"],
    ["a token that is not a JWT", ["Bearer not-a-jwt"], "invalid jwt token"],
  ];
  for (const [what, header, text] of refused) {
    it(`refuses ${what} with UNAUTHENTICATED`, async () => {
      const status = await statusOf(openRawStream(client, header));
      assert.equal(status.code, grpc.status.UNAUTHENTICATED);
      assert.equal(status.details, text);
    });
  }

  const badTokens: [string, () => Promise<string>][] = [
    ["signed with another key", () => routerToken("other-key", "s1")],
    ["expired", () => routerToken(KEY, "s1", { expiresIn: Math.floor(Date.now() / 1000) - 60 })],
    ["from another issuer", () => routerToken(KEY, "s1", { issuer: "https://example.com" })],
    ["for another audience", () => routerToken(KEY, "s1", { audience: "jumpstarter" })],
  ];
  for (const [what, mint] of badTokens) {
    it(`refuses a token ${what}`, async () => {
      const status = await statusOf(openRawStream(client, [`Bearer ${await mint()}`]));
      assert.equal(status.code, grpc.status.UNAUTHENTICATED);
      assert.equal(status.details, "invalid jwt token");
    });
  }

  it("accepts HS384/HS512 tokens and the bearer prefix in any case", async () => {
    const first = openRawStream(client, [`bearer ${await routerToken(KEY, "alg", { alg: "HS384" })}`]);
    const second = openRawStream(client, [`BEARER ${await routerToken(KEY, "alg", { alg: "HS512" })}`]);
    first.write(frame("x"));
    assert.equal(Buffer.from((await nextFrame(second)).payload).toString(), "x");
    first.end();
    second.end();
    assert.equal((await statusOf(first)).code, grpc.status.OK);
    assert.equal((await statusOf(second)).code, grpc.status.OK);
  });

  it("pairs two calls with the same stream id and forwards frames verbatim both ways", async () => {
    const token = await routerToken(KEY, "pair-1");
    const first = openRawStream(client, [`Bearer ${token}`]);
    first.write(frame("early"));
    await until(() => router.stats.waiting === 1);
    const second = openRawStream(client, [`Bearer ${token}`]);
    const early = await nextFrame(second);
    assert.equal(Buffer.from(early.payload).toString(), "early");
    assert.equal(early.frameType, FrameType.DATA);
    await until(() => router.stats.relaying === 1);

    second.write(frame("", FrameType.PING));
    const ping = await nextFrame(first);
    assert.equal(ping.frameType, FrameType.PING);
    assert.equal(ping.payload.byteLength, 0);
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    second.write({ payload: big, frameType: FrameType.DATA });
    assert.deepEqual(Buffer.from((await nextFrame(first)).payload), big);
    first.write(frame("bye", FrameType.GOAWAY));
    const goaway = await nextFrame(second);
    assert.equal(goaway.frameType, FrameType.GOAWAY);
    assert.equal(Buffer.from(goaway.payload).toString(), "bye");

    first.end();
    second.end();
    assert.equal((await statusOf(first)).code, grpc.status.OK);
    assert.equal((await statusOf(second)).code, grpc.status.OK);
    await until(() => router.stats.relaying === 0);
  });

  it("keeps forwarding the other direction after one side half-closes", async () => {
    const token = await routerToken(KEY, "half");
    const first = openRawStream(client, [`Bearer ${token}`]);
    const second = openRawStream(client, [`Bearer ${token}`]);
    first.write(frame("a"));
    await nextFrame(second);
    first.end();
    second.write(frame("still here"));
    assert.equal(Buffer.from((await nextFrame(first)).payload).toString(), "still here");
    second.end();
    assert.equal((await statusOf(first)).code, grpc.status.OK);
  });

  it("does not pair different stream ids", async () => {
    const a = openRawStream(client, [`Bearer ${await routerToken(KEY, "id-a")}`]);
    const b = openRawStream(client, [`Bearer ${await routerToken(KEY, "id-b")}`]);
    await until(() => router.stats.waiting === 2);
    assert.equal(router.stats.relaying, 0);
    a.cancel();
    b.cancel();
    await until(() => router.stats.waiting === 0);
  });

  it("ends the survivor with CANCELLED when one side goes away", async () => {
    const token = await routerToken(KEY, "cancel");
    const first = openRawStream(client, [`Bearer ${token}`]);
    const second = openRawStream(client, [`Bearer ${token}`]);
    first.write(frame("a"));
    await nextFrame(second);
    const survivor = statusOf(first);
    second.cancel();
    const status = await survivor;
    assert.equal(status.code, grpc.status.CANCELLED);
    assert.match(status.details, /peer stream ended/);
  });

  it("forgets a waiting call that gave up, so a later caller waits afresh", async () => {
    const token = await routerToken(KEY, "gone");
    const first = openRawStream(client, [`Bearer ${token}`]);
    await until(() => router.stats.waiting === 1);
    first.cancel();
    await until(() => router.stats.waiting === 0);
    const second = openRawStream(client, [`Bearer ${token}`]);
    await until(() => router.stats.waiting === 1);
    const third = openRawStream(client, [`Bearer ${token}`]);
    third.write(frame("to second"));
    assert.equal(Buffer.from((await nextFrame(second)).payload).toString(), "to second");
    second.end();
    third.end();
    assert.equal((await statusOf(third)).code, grpc.status.OK);
  });

  it("relays a client's gRPC connection to a real exporter session", async () => {
    const directory = await mkdtemp(join(tmpdir(), "jmp-router-"));
    const tunnelSession = await serveTunnelSession(directory);
    const tunnels = new RouterTunnelClient({ endpoint: server.address, tls: false });
    const bridges: Promise<void>[] = [];
    // The client side: one Dial (here: one token) per local connection, as the reference client does.
    const local = createServer((socket: Socket) => {
      const token = routerToken(KEY, crypto.randomUUID());
      void token.then((value) => {
        // The exporter side answers each ListenResponse by bridging its session socket to the same stream.
        const exporterEnd = tunnels.open(value);
        const sessionSocket = connect(tunnelSession.socket);
        bridges.push(bridgeStreams(exporterEnd, sessionSocket));
        bridges.push(bridgeStreams(tunnels.open(value), socket));
      });
    });
    local.listen(join(directory, "client.sock"));
    await once(local, "listening");
    try {
      const handle = await connectExporter({ address: `unix:${join(directory, "client.sock")}` }, { allowlist: unsafeAllowlist, genericFallback: true });
      try {
        assert.equal(await handle.root.call("greet", ["router"]), "hello router");
        const { stream } = await handle.connection.openStream({ kind: "driver", uuid: handle.report.reports[0]!.uuid, method: "connect" });
        stream.write("ping through the router");
        const [echoed] = (await once(stream, "data")) as [Buffer];
        assert.equal(echoed.toString(), "ping through the router");
        stream.end();
        await once(stream, "close");
        assert.equal(router.stats.relaying, 1);
      } finally {
        handle.close();
      }
      await Promise.all(bridges);
      await until(() => router.stats.relaying === 0 && router.stats.waiting === 0);
    } finally {
      local.close();
      tunnels.close();
      await tunnelSession.close();
      await rm(directory, { recursive: true, force: true });
    }
  });
});
