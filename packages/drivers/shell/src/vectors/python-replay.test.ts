/**
 * The reference Python client's transport, gRPC C-core (grpcio), against our exporter session server: the wire
 * vectors replayed byte for byte as in replay.test.ts, then bulk traffic. Needs Debian's python3-grpcio; without
 * it every test here fails, saying so.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { connect, createServer } from "node:net";
import type { AddressInfo, Server, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import { after, before, describe, it } from "node:test";
import { create, fromBinary, toBinary, toJson } from "@bufbuild/protobuf";
import type { SessionServer } from "@jumpstarter/core";
import { codeName, Driver, ExporterSession, ExporterStatus, exportstream, listenSession } from "@jumpstarter/core";
import { loadVector, selfSignedCertificate } from "@jumpstarter/core/testing";
import { Composite } from "@jumpstarter/driver-composite/driver";
import { MockPower } from "@jumpstarter/driver-power/driver";
import { DriverCallRequestSchema, DriverCallResponseSchema } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import type { MockExporter } from "./mock-exporter.js";
import { serveMockExporter } from "./mock-exporter.js";
import { PythonReplayClient, ccoreIt, hasPythonGrpc } from "./python-replay.js";
import { assertStreamResponse, exportstreamCall, replay, replayedVectors, UuidMap } from "./replay-check.js";

const STREAM = "/jumpstarter.v1.RouterService/Stream";

const DRIVER_CALL = "/jumpstarter.v1.ExporterService/DriverCall";

/** A TCP echo server that destroys its connections when disposed. */
async function echoServer(): Promise<{ port: number } & AsyncDisposable> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    socket.pipe(socket);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    port: (server.address() as AddressInfo).port,
    [Symbol.asyncDispose]: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, "close");
    },
  };
}

describe("reference wire vectors replayed through gRPC C-core (grpcio)", () => {
  let exporter: MockExporter | undefined;
  let python: PythonReplayClient | undefined;
  let uuids: UuidMap;

  before(async () => {
    if (!hasPythonGrpc()) return;
    exporter = await serveMockExporter();
    python = await PythonReplayClient.start(exporter.server.address);
    uuids = new UuidMap(exporter);
  });
  after(async () => {
    await python?.close();
    await exporter?.[Symbol.asyncDispose]();
  });

  ccoreIt("has python3-grpcio (gRPC C-core) at /usr/bin/python3", async () => {});

  for (const name of replayedVectors) {
    ccoreIt(`replays ${name}`, async () => {
      for (const call of loadVector(name).calls) await replay(python!, uuids, call);
    });
  }

  ccoreIt("replays exportstream_tcp_connect against a local echo server, in lock step", async () => {
    await using echo = await echoServer();
    await using streamExporter = await serveMockExporter(echo.port);
    const client = await PythonReplayClient.start(streamExporter.server.address);
    try {
      const { call, metadata, requests, goawayIndex } = exportstreamCall(new UuidMap(streamExporter));
      assert.ok(goawayIndex >= 0, "the recording ends with GOAWAY");
      const result = await client.lockstep(call.method, metadata, requests, goawayIndex);
      assert.equal(result.error, null, "a response to every request");
      assert.deepEqual(result.headerKeys, call.response_initial_metadata.map(([key]) => key), "no custom response headers");
      assert.equal(result.responses.length, call.responses.length, "Stream response count");
      result.responses.forEach((bytes, index) => assertStreamResponse(call, index, bytes));
      // The capture saw no server status before the client cancelled; ours may already have ended the call.
      assert.ok(["OK", "CANCELLED"].includes(codeName(result.code)), `Stream status ${codeName(result.code)}: ${result.details}`);
    } finally {
      await client.close();
    }
  });
});

describe("reference wire vectors through gRPC C-core over TCP with TLS (direct mode's transport)", () => {
  let directory: string | undefined;
  let exporter: MockExporter | undefined;
  let python: PythonReplayClient | undefined;
  let uuids: UuidMap;

  before(async () => {
    if (!hasPythonGrpc()) return;
    directory = await mkdtemp(join(tmpdir(), "jumpstarter-ccore-tls-"));
    const { certPath, cert, key } = await selfSignedCertificate(directory);
    exporter = await serveMockExporter(undefined, { cert, key });
    python = await PythonReplayClient.start(exporter.server.address, certPath);
    uuids = new UuidMap(exporter);
  });
  after(async () => {
    await python?.close();
    await exporter?.[Symbol.asyncDispose]();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  for (const name of ["get_report", "driver_call_power_on", "streaming_driver_call_power_read", "error_method_not_found"]) {
    ccoreIt(`replays ${name} over TLS`, async () => {
      assert.match(exporter!.server.address, /^127\.0\.0\.1:\d+$/);
      for (const call of loadVector(name).calls) await replay(python!, uuids, call);
    });
  }
});

/** Connects each raw stream to a TCP port (the device side of the bulk echo). */
class EchoLink extends Driver {
  constructor(readonly port: number) {
    super();
  }
  override client(): string {
    return "test.EchoLinkClient";
  }
  @exportstream
  async connect(): Promise<Duplex> {
    const socket = connect(this.port, "127.0.0.1");
    await once(socket, "connect");
    return socket;
  }
}

describe("bulk traffic from gRPC C-core (grpcio) to our exporter", () => {
  let echo: ({ port: number } & AsyncDisposable) | undefined;
  let server: SessionServer | undefined;
  let session: ExporterSession | undefined;
  let directory: string | undefined;
  let python: PythonReplayClient | undefined;
  let power: MockPower;
  let link: EchoLink;

  before(async () => {
    if (!hasPythonGrpc()) return;
    echo = await echoServer();
    power = new MockPower();
    link = new EchoLink(echo.port);
    directory = await mkdtemp(join(tmpdir(), "jumpstarter-ccore-"));
    session = new ExporterSession({ root: new Composite({}, { children: { power, link } }) });
    session.status.set(ExporterStatus.LEASE_READY);
    server = await listenSession(session, { address: `unix:${join(directory, "socket")}` });
    python = await PythonReplayClient.start(server.address);
  });
  after(async () => {
    await python?.close();
    await session?.close();
    await server?.close();
    await echo?.[Symbol.asyncDispose]();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  ccoreIt("echoes 32 MiB through an exportstream, 64 KiB DATA frames written while reading, byte-exact", async () => {
    const total = 32 * 1024 * 1024;
    const request = JSON.stringify({ kind: "driver", uuid: link.uuid, method: "connect" });
    const result = await python!.echo(STREAM, { request }, total, 64 * 1024, 60);
    assert.equal(result.error, null, `stream error after ${result.receivedBytes} of ${total} bytes came back`);
    assert.equal(result.sentBytes, total);
    assert.equal(result.receivedBytes, total);
    assert.equal(result.receivedSha256, result.sentSha256);
    assert.equal(codeName(result.code), "OK", `Stream status: ${result.details}`);
  });

  ccoreIt("answers 50 sequential DriverCalls", async () => {
    const request = Buffer.from(toBinary(DriverCallRequestSchema, create(DriverCallRequestSchema, { uuid: power.uuid, method: "on", args: [] })));
    for (let index = 0; index < 50; index++) {
      const result = await python!.call(DRIVER_CALL, request, false);
      assert.equal(codeName(result.code), "OK", `call ${index}: ${result.details}`);
      assert.equal(result.responses.length, 1, `call ${index} response count`);
      const response = toJson(DriverCallResponseSchema, fromBinary(DriverCallResponseSchema, result.responses[0]!)) as { uuid?: string; result?: unknown };
      assert.equal(response.result, null, `call ${index} result`);
    }
  });
});
