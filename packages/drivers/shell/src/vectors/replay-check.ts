/**
 * @module
 * What replaying a wire vector against our exporter checks, shared by the grpc-js and the C-core (grpcio)
 * replays: uuid substitution between the capture's tree and ours, and the per-call assertions. Test support only.
 */
import assert from "node:assert/strict";
import type { DescMessage, JsonValue } from "@bufbuild/protobuf";
import { fromBinary, toJson } from "@bufbuild/protobuf";
import { codeName } from "@jumpstarter/core";
import type { VectorCall } from "@jumpstarter/core/testing";
import { loadVector, vectorCalls } from "@jumpstarter/core/testing";
import {
  DriverCallRequestSchema,
  DriverCallResponseSchema,
  GetReportResponseSchema,
  GetStatusResponseSchema,
  StreamingDriverCallRequestSchema,
  StreamingDriverCallResponseSchema,
} from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import { StreamRequestSchema, StreamResponseSchema } from "@jumpstarter/protocol/gen/jumpstarter/v1/router_pb";
import type { MockDriverName, MockExporter } from "./mock-exporter.js";
import type { RawResult } from "./raw-replay.js";

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const captured = loadVector("get_report")["driver_uuids"] as Record<MockDriverName, string>;

/** The vectors whose calls are replayed one by one (exportstream_tcp_connect has its own test). */
export const replayedVectors: readonly string[] = [
  "get_report",
  "get_status",
  "driver_call_power_on",
  "driver_call_power_off",
  "driver_call_composite_child_power_on",
  "streaming_driver_call_power_read",
  "shell_call_method_hello",
  "j_cli_power_on",
  "driver_call_tcp_address",
  "error_method_not_found",
  "error_private_method_and_unknown_uuid",
  "error_streaming_method_via_unary",
  "error_unary_method_via_streaming",
  "error_wrong_args",
];

const schemas: Record<string, { request?: DescMessage; response: DescMessage; streaming: boolean }> = {
  "/jumpstarter.v1.ExporterService/GetReport": { response: GetReportResponseSchema, streaming: false },
  "/jumpstarter.v1.ExporterService/GetStatus": { response: GetStatusResponseSchema, streaming: false },
  "/jumpstarter.v1.ExporterService/DriverCall": { request: DriverCallRequestSchema, response: DriverCallResponseSchema, streaming: false },
  "/jumpstarter.v1.ExporterService/StreamingDriverCall": {
    request: StreamingDriverCallRequestSchema,
    response: StreamingDriverCallResponseSchema,
    streaming: true,
  },
};

/** Maps the captured driver uuids to the uuids of our tree, in bytes and in text. */
export class UuidMap {
  readonly #pairs: Array<[string, string]>;
  constructor(exporter: MockExporter) {
    this.#pairs = (Object.keys(captured) as MockDriverName[]).map((name) => [captured[name], exporter.drivers[name].uuid]);
  }
  get ours(): Set<string> {
    return new Set(this.#pairs.map(([, uuid]) => uuid));
  }
  bytes(buffer: Buffer): Buffer {
    let result = buffer;
    for (const [from, to] of this.#pairs) result = replaceAll(result, Buffer.from(from), Buffer.from(to));
    return result;
  }
  text(text: string): string {
    return this.#pairs.reduce((acc, [from, to]) => acc.replaceAll(from, to), text);
  }
  json<T>(value: T): T {
    return JSON.parse(this.text(JSON.stringify(value))) as T;
  }
}

function replaceAll(buffer: Buffer, from: Buffer, to: Buffer): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  for (let at = buffer.indexOf(from); at >= 0; at = buffer.indexOf(from, start)) {
    parts.push(buffer.subarray(start, at), to);
    start = at + from.length;
  }
  parts.push(buffer.subarray(start));
  return Buffer.concat(parts);
}

/** Drops a response uuid after checking it is a fresh uuid4 that names no driver. */
function withoutResponseUuid(json: JsonValue, drivers: Set<string>): JsonValue {
  const { uuid, ...rest } = json as { uuid?: string };
  assert.match(uuid ?? "", UUID, "response uuid is a uuid4");
  assert.ok(!drivers.has(uuid!), "response uuid is not a driver uuid");
  return rest as JsonValue;
}

/** A client that sends one raw request and reports what came back. */
export interface ReplayClient {
  call(path: string, request: Buffer, streaming: boolean): Promise<RawResult>;
}

/** Replays one recorded unary or server-streaming call and checks the answer against the recording. */
export async function replay(raw: ReplayClient, uuids: UuidMap, call: VectorCall): Promise<void> {
  const schema = schemas[call.method];
  assert.ok(schema, `no replay schema for ${call.method}`);
  const request = uuids.bytes(Buffer.from(call.requests[0]!.raw_b64, "base64"));
  if (schema.request) {
    assert.deepEqual(toJson(schema.request, fromBinary(schema.request, request)), uuids.json(call.requests[0]!.json), "substituted request decodes as recorded");
  }
  const result = await raw.call(call.method, request, schema.streaming);
  assert.equal(codeName(result.code), call.status_code, `${call.method} status`);
  // grpc-js reports "OK" as the details of a successful call where grpc-python has none.
  if (call.status_code !== "OK") assert.equal(result.details, call.status_details, `${call.method} details`);
  assert.deepEqual(result.headerKeys, call.response_initial_metadata.map(([key]) => key), "no custom response headers");
  if (result.trailerKeys) assert.deepEqual(result.trailerKeys, call.trailing_metadata.map(([key]) => key), "no custom response trailers");
  assert.equal(result.responses.length, call.responses.length, `${call.method} response count`);
  result.responses.forEach((bytes, index) => {
    let ours = toJson(schema.response, fromBinary(schema.response, bytes));
    let expected = uuids.json(call.responses[index]!.json) as JsonValue;
    if (call.method.endsWith("/GetReport") || call.method.endsWith("DriverCall")) {
      ours = withoutResponseUuid(ours, uuids.ours);
      expected = withoutResponseUuid(expected, new Set());
    }
    assert.deepEqual(ours, expected, `${call.method} response ${index}`);
  });
}

/** The recorded RouterService/Stream call of exportstream_tcp_connect, its `request` metadata mapped to our tree. */
export function exportstreamCall(uuids: UuidMap): { call: VectorCall; metadata: Record<string, string>; requests: Buffer[]; goawayIndex: number } {
  const call = vectorCalls(loadVector("exportstream_tcp_connect"), "Stream")[0]!;
  const metadata = Object.fromEntries(call.request_metadata.filter(([key]) => key === "request").map(([key, value]) => [key, uuids.text(value)]));
  const requests = call.requests.map((message) => Buffer.from(message.raw_b64, "base64"));
  const goawayIndex = requests.findIndex((bytes) => (toJson(StreamRequestSchema, fromBinary(StreamRequestSchema, bytes)) as { frameType?: string }).frameType === "FRAME_TYPE_GOAWAY");
  return { call, metadata, requests, goawayIndex };
}

/** Checks the `index`th StreamResponse of a replayed exportstream against the recording. */
export function assertStreamResponse(call: VectorCall, index: number, bytes: Buffer): void {
  assert.deepEqual(toJson(StreamResponseSchema, fromBinary(StreamResponseSchema, bytes)), call.responses[index]!.json, `Stream response ${index}`);
}
