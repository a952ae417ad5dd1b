import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { eventually, loadVector, serve, vectorBytes, vectorCalls, within } from "@jumpstarter/core/testing";
import { DriverCallRequestSchema, DriverCallResponseSchema } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import { NetworkClient } from "./client.js";
import { startTcpEchoPeer } from "./peers.js";
import { TcpNetwork } from "./tcp.js";

const identity = (bytes: Buffer): Buffer => bytes;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Response headers as a grpc-python server hands them to its peer: HTTP/2 and gRPC transport headers removed. */
function applicationHeaders(metadata: grpc.Metadata): string[] {
  return Object.keys(metadata.getMap()).filter((key) => !["content-type", "date"].includes(key) && !key.startsWith("grpc-"));
}

describe("wire vectors of the reference TcpNetwork", () => {
  it("exportstream_tcp_connect: the exporter answers the captured frames with the captured frames", async () => {
    const [recorded] = vectorCalls(loadVector("exportstream_tcp_connect"), "/jumpstarter.v1.RouterService/Stream");
    assert.ok(recorded);
    await using peer = await startTcpEchoPeer();
    const driver = new TcpNetwork({ host: peer.host, port: peer.port });
    await using served = await serve(driver, { client: NetworkClient });

    const recordedRequest = JSON.parse(new Map(recorded.request_metadata).get("request")!) as Record<string, string>;
    assert.deepEqual(Object.keys(recordedRequest), ["kind", "uuid", "method"]);
    const metadata = new grpc.Metadata();
    metadata.set("request", JSON.stringify({ ...recordedRequest, uuid: driver.uuid }));

    const channel = new grpc.Client(served.server.address, grpc.credentials.createInsecure());
    try {
      const call = channel.makeBidiStreamRequest("/jumpstarter.v1.RouterService/Stream", identity, identity, metadata);
      const events: string[] = [];
      const responses: Buffer[] = [];
      let headers: grpc.Metadata | undefined;
      let wake = () => {};
      call.on("metadata", (received: grpc.Metadata) => {
        events.push("s2c:headers");
        headers = received;
        wake();
      });
      call.on("data", (frame: Buffer) => {
        events.push(`s2c:${responses.length}`);
        responses.push(frame);
        wake();
      });
      call.on("error", () => {});
      const until = (check: () => boolean, what: string) =>
        within(new Promise<void>((resolve) => (wake = () => check() && resolve())).then(() => {}), what).finally(() => (wake = () => {}));

      if (!headers) await until(() => headers !== undefined, "response headers before any data");
      assert.deepEqual(applicationHeaders(headers!), []);
      for (const [index, request] of recorded.requests.entries()) {
        const received = until(() => responses.length > index, `response ${index}`);
        call.write(Buffer.from(vectorBytes(request)));
        events.push(`c2s:${index}`);
        if (index === recorded.requests.length - 1) {
          call.end();
          events.push("c2s:half-close");
        }
        await received;
      }
      call.cancel();
      events.push("client-cancelled");

      assert.deepEqual(events, recorded.event_order);
      assert.deepEqual(
        responses.map((frame) => frame.toString("base64")),
        recorded.responses.map((response) => response.raw_b64),
      );
      await eventually(() => peer.openConnections === 0, "the exporter to close its TCP connection");
      await eventually(() => driver.openStreams === 0, "the driver to release the stream");
    } finally {
      channel.close();
    }
  });

  it("driver_call_tcp_address: the address() response has the captured bytes (but a fresh uuid)", async () => {
    const vector = loadVector("driver_call_tcp_address");
    const [recorded] = vectorCalls(vector, "/jumpstarter.v1.ExporterService/DriverCall");
    assert.ok(recorded && recorded.requests[0] && recorded.responses[0]);
    const driver = new TcpNetwork({ host: "127.0.0.1", port: 19007 });
    await using served = await serve(driver, { client: NetworkClient });

    const request = fromBinary(DriverCallRequestSchema, vectorBytes(recorded.requests[0]));
    assert.equal(request.method, "address");
    const ourRequest = Buffer.from(toBinary(DriverCallRequestSchema, create(DriverCallRequestSchema, { ...request, uuid: driver.uuid })));

    const channel = new grpc.Client(served.server.address, grpc.credentials.createInsecure());
    try {
      const raw = await new Promise<Buffer>((resolve, reject) =>
        channel.makeUnaryRequest("/jumpstarter.v1.ExporterService/DriverCall", identity, identity, ourRequest, (error, value) =>
          error ? reject(error) : resolve(value!),
        ),
      );
      const response = fromBinary(DriverCallResponseSchema, raw);
      const recordedResponse = fromBinary(DriverCallResponseSchema, vectorBytes(recorded.responses[0]));
      assert.match(response.uuid, uuidPattern);
      assert.notEqual(response.uuid, driver.uuid);
      const expected = Buffer.from(recorded.responses[0].raw_b64, "base64").toString("latin1").replace(recordedResponse.uuid, response.uuid);
      assert.equal(raw.toString("latin1"), expected);
      assert.equal(await served.client.address(), vector["client_result"]);
    } finally {
      channel.close();
    }
  });
});
