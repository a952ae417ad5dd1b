/**
 * @module
 * Baseline: a bare grpc-js server with trivial handlers for the same jumpstarter.v1 methods and messages
 * (protobuf-es codecs, default options), driven by a bare grpc-js client. It shows what grpc-js costs by itself.
 */
import { create } from "@bufbuild/protobuf";
import type { Value } from "@bufbuild/protobuf/wkt";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
import { grpcServiceDefinition } from "@jumpstarter/protocol";
import type { DriverCallRequest, StreamingDriverCallRequest } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import {
  DriverCallRequestSchema,
  DriverCallResponseSchema,
  ExporterService,
  StreamingDriverCallRequestSchema,
  StreamingDriverCallResponseSchema,
} from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import type { StreamRequest, StreamResponse } from "@jumpstarter/protocol/gen/jumpstarter/v1/router_pb";
import { FrameType, RouterService, StreamRequestSchema, StreamResponseSchema } from "@jumpstarter/protocol/gen/jumpstarter/v1/router_pb";
import { drain } from "./stream-io.js";
import type { BenchTarget } from "./workload.js";
import { CHUNK_SIZE, STREAMING_ITEMS } from "./workload.js";

const exporterDefinition = grpcServiceDefinition(ExporterService);
const routerDefinition = grpcServiceDefinition(RouterService);

function reading(index: number): Value {
  return create(ValueSchema, {
    kind: {
      case: "structValue",
      value: {
        fields: {
          voltage: create(ValueSchema, { kind: { case: "numberValue", value: 5 } }),
          current: create(ValueSchema, { kind: { case: "numberValue", value: 0.5 + index } }),
        },
      },
    },
  });
}

const sourceChunk = Buffer.alloc(CHUNK_SIZE, 0x5a);

function serveSource(call: grpc.ServerDuplexStream<StreamRequest, StreamResponse>, bytes: number): void {
  let left = bytes;
  const full = create(StreamResponseSchema, { payload: sourceChunk, frameType: FrameType.DATA });
  const pump = () => {
    while (left > 0) {
      const response = left >= sourceChunk.length ? full : create(StreamResponseSchema, { payload: sourceChunk.subarray(0, left) });
      left -= response.payload.length;
      if (!call.write(response)) {
        call.once("drain", pump);
        return;
      }
    }
    call.end();
  };
  call.resume();
  pump();
}

function serveStream(call: grpc.ServerDuplexStream<StreamRequest, StreamResponse>): void {
  const mode = call.metadata.get("mode")[0];
  if (mode === "source") {
    serveSource(call, Number(call.metadata.get("bytes")[0]));
    return;
  }
  call.on("data", (request: StreamRequest) => {
    if (mode !== "echo") return;
    const response = create(StreamResponseSchema, { payload: request.payload, frameType: request.frameType });
    if (!call.write(response)) {
      call.pause();
      call.once("drain", () => call.resume());
    }
  });
  call.on("end", () => call.end());
}

/** Serves the baseline at `address` (`unix:/path`). */
export async function startGrpcServer(address: string): Promise<string> {
  const server = new grpc.Server();
  const readings = Array.from({ length: STREAMING_ITEMS }, (_, index) => reading(index));
  server.addService(exporterDefinition, {
    driverCall: (call: grpc.ServerUnaryCall<DriverCallRequest, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      callback(null, create(DriverCallResponseSchema, { uuid: call.request.uuid, result: call.request.args[0]! }));
    },
    streamingDriverCall: (call: grpc.ServerWritableStream<StreamingDriverCallRequest, unknown>) => {
      for (const result of readings) call.write(create(StreamingDriverCallResponseSchema, { uuid: call.request.uuid, result }));
      call.end();
    },
  });
  server.addService(routerDefinition, { stream: serveStream });
  await new Promise<number>((resolve, reject) =>
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))),
  );
  return address;
}

type Callback = (error: grpc.ServiceError | null, response?: unknown) => void;
interface ExporterStub extends grpc.Client {
  driverCall(request: DriverCallRequest, callback: Callback): grpc.ClientUnaryCall;
  streamingDriverCall(request: StreamingDriverCallRequest): grpc.ClientReadableStream<unknown>;
}
interface RouterStub extends grpc.Client {
  stream(metadata: grpc.Metadata): grpc.ClientDuplexStream<StreamRequest, StreamResponse>;
}

const ExporterClient = grpc.makeGenericClientConstructor(exporterDefinition, "ExporterService");
const RouterClient = grpc.makeGenericClientConstructor(routerDefinition, "RouterService");

function transfer(router: RouterStub, mode: "sink" | "echo" | "source", bytes: number, chunk?: Buffer): Promise<number> {
  const metadata = new grpc.Metadata();
  metadata.set("mode", mode);
  metadata.set("bytes", String(bytes));
  const call = router.stream(metadata);
  const done = new Promise<number>((resolve, reject) => {
    let received = 0;
    call.on("data", (response: StreamResponse) => {
      received += response.payload.length;
    });
    call.on("end", () => resolve(received));
    call.on("error", reject);
  });
  void (async () => {
    if (chunk) {
      const request = create(StreamRequestSchema, { payload: chunk, frameType: FrameType.DATA });
      for (let sent = 0; sent < bytes; sent += chunk.length) {
        if (!call.write(request)) await drain(call);
      }
    }
    call.end();
  })().catch((error: unknown) => call.destroy(error as Error));
  return done;
}

/** Connects a bare grpc-js client to the baseline. */
export async function connectGrpc(address: string): Promise<BenchTarget> {
  const exporter = new ExporterClient(address, grpc.credentials.createInsecure()) as unknown as ExporterStub;
  const router = new RouterClient(address, grpc.credentials.createInsecure(), {
    channelOverride: exporter.getChannel(),
  }) as unknown as RouterStub;
  const request = create(DriverCallRequestSchema, {
    uuid: "00000000-0000-4000-8000-000000000000",
    method: "echo",
    args: [create(ValueSchema, { kind: { case: "stringValue", value: "hello" } }), create(ValueSchema, { kind: { case: "numberValue", value: 42 } })],
  });
  const streamingRequest = create(StreamingDriverCallRequestSchema, { uuid: request.uuid, method: "read", args: [] });
  return {
    unary: () => new Promise<void>((resolve, reject) => exporter.driverCall(request, (error) => (error ? reject(error) : resolve()))),
    async streamingCall() {
      for await (const _item of exporter.streamingDriverCall(streamingRequest)) {
        // Drain every value.
      }
    },
    async upload(bytes, chunk) {
      await transfer(router, "sink", bytes, chunk);
    },
    download: (bytes) => transfer(router, "source", bytes),
    echo: (bytes, chunk) => transfer(router, "echo", bytes, chunk),
    close() {
      router.close();
      exporter.close();
    },
  };
}
