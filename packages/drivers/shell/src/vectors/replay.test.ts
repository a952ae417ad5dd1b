import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { toJson } from "@bufbuild/protobuf";
import { loadVector, vectorCalls } from "@jumpstarter/core/testing";
import { GetReportResponseSchema } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import type { MockExporter } from "./mock-exporter.js";
import { serveMockExporter } from "./mock-exporter.js";
import { RawReplayClient } from "./raw-replay.js";
import { assertStreamResponse, exportstreamCall, replay, replayedVectors, UUID, UuidMap } from "./replay-check.js";

describe("reference wire vectors replayed against our exporter (exporter-mock.yaml)", () => {
  let exporter: MockExporter;
  let raw: RawReplayClient;
  let uuids: UuidMap;

  before(async () => {
    exporter = await serveMockExporter();
    raw = new RawReplayClient(exporter.server.address);
    uuids = new UuidMap(exporter);
  });
  after(async () => {
    raw.close();
    await exporter[Symbol.asyncDispose]();
  });

  it("GetReport has the reference's entries, order, labels, parents and descriptions", async () => {
    const report = exporter.session.report();
    const json = toJson(GetReportResponseSchema, report) as { uuid: string; reports: unknown[] };
    const expected = uuids.json(vectorCalls(loadVector("get_report"), "GetReport")[0]!.responses[0]!.json) as { uuid: string; reports: unknown[] };
    assert.deepEqual(json.reports, expected.reports);
    assert.match(json.uuid, UUID);
    assert.notEqual(json.uuid, exporter.drivers.root.uuid, "the session uuid is not the root driver's");
  });

  for (const name of replayedVectors) {
    it(`replays ${name}`, async () => {
      for (const call of loadVector(name).calls) await replay(raw, uuids, call);
    });
  }

  it("replays exportstream_tcp_connect against a local echo server", async () => {
    const echo = createServer((socket) => socket.pipe(socket));
    echo.listen(0, "127.0.0.1");
    await once(echo, "listening");
    await using streamExporter = await serveMockExporter((echo.address() as AddressInfo).port);
    const client = new RawReplayClient(streamExporter.server.address);
    try {
      const { call, metadata, requests, goawayIndex } = exportstreamCall(new UuidMap(streamExporter));
      const stream = client.bidi(call.method, metadata);
      stream.on("error", () => {});
      const [headers] = (await once(stream, "metadata")) as [import("@grpc/grpc-js").Metadata];
      assert.deepEqual(Object.keys(headers.getMap()).filter((key) => key !== "content-type" && key !== "date"), []);
      const frames = stream[Symbol.asyncIterator]();
      for (const [index, bytes] of requests.entries()) {
        stream.write(bytes);
        if (index === goawayIndex) stream.end();
        const next = await frames.next();
        assert.ok(!next.done, `a response to request ${index}`);
        assertStreamResponse(call, index, next.value as Buffer);
      }
      stream.cancel();
    } finally {
      client.close();
      echo.close();
    }
  });
});
