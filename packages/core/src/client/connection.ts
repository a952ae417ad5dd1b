/**
 * @module
 * A client connection to an exporter session: one HTTP/2 connection (`@jumpstarter/grpc-http2`) carrying the
 * ExporterService calls and the RouterService streams, which carry every raw byte (sent and received without
 * copying messages; BENCHMARKS.md).
 */
import { once } from "node:events";
import { create } from "@bufbuild/protobuf";
import { EmptySchema } from "@bufbuild/protobuf/wkt";
import type { Value } from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
import { GrpcClient } from "@jumpstarter/grpc-http2";
import type { ClientCodec } from "@jumpstarter/grpc-http2";
import { grpcServiceDefinition } from "@jumpstarter/protocol";
import type {
  DriverCallResponse,
  EndSessionResponse,
  GetReportResponse,
  GetStatusResponse,
  LogStreamResponse,
  StreamingDriverCallResponse,
} from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import { ExporterService } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import type { CallSite } from "../errors.js";
import { CancelledError, fromStatus } from "../errors.js";
import { RouterByteStream } from "../streams/byte-stream.js";
import type { ClientTls } from "../streams/router-call.js";
import { grpcClientOptions, openRouterCall } from "../streams/router-call.js";

/** How to reach an exporter session. */
export interface ConnectOptions {
  /** `unix:/path`, an absolute socket path, or `host:port`. */
  readonly address: string;
  /** TLS for TCP targets; omit for plaintext (unix sockets are always plaintext). */
  readonly tls?: ClientTls;
  /** Metadata added to every call (e.g. `x-jumpstarter-passphrase`). */
  readonly metadata?: Readonly<Record<string, string>>;
  /**
   * The user's `grpcOptions`, in grpc-js's names: `grpc.keepalive_time_ms`, `grpc.keepalive_timeout_ms`,
   * `grpc.keepalive_permit_without_calls`, `grpc.max_receive_message_length`, `grpc.ssl_target_name_override`
   * and `grpc.enable_http_proxy` apply; others are ignored.
   */
  readonly grpcOptions?: grpc.ChannelOptions;
}

/** Per-call options. */
export interface CallOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

/** Path and codec of each ExporterService method, by its grpc-js name (`driverCall`…). */
const exporterMethods = new Map(
  Object.entries(grpcServiceDefinition(ExporterService)).map(([name, method]) => [
    name,
    { path: method.path, codec: { serialize: method.requestSerialize, deserialize: method.responseDeserialize } as ClientCodec },
  ]),
);

function exporterMethod(name: string): { path: string; codec: ClientCodec } {
  const method = exporterMethods.get(name);
  if (!method) throw new Error(`ExporterService has no method ${name}`);
  return method;
}

/**
 * A connection to one exporter session: one HTTP/2 connection (as the reference client's one channel) carrying
 * every call and stream, through `@jumpstarter/grpc-http2`.
 */
export class ExporterConnection {
  readonly address: string;
  readonly #client: GrpcClient;
  readonly #metadata: Readonly<Record<string, string>>;
  readonly #streams = new Set<RouterByteStream>();

  constructor(options: ConnectOptions) {
    this.address = options.address.startsWith("/") ? `unix:${options.address}` : options.address;
    this.#client = new GrpcClient(grpcClientOptions(this.address, options.tls, options.grpcOptions));
    this.#metadata = options.metadata ?? {};
  }

  #callMetadata(extra?: Record<string, string>): grpc.Metadata {
    const metadata = new grpc.Metadata();
    for (const [key, value] of Object.entries(this.#metadata)) metadata.set(key, value);
    if (extra) for (const [key, value] of Object.entries(extra)) metadata.set(key, value);
    return metadata;
  }

  async #unary<Res>(name: string, request: unknown, options: CallOptions = {}, site: CallSite = {}): Promise<Res> {
    if (options.signal?.aborted) throw new CancelledError("the call was aborted before it started");
    const { path, codec } = exporterMethod(name);
    try {
      return (await this.#client.unary(path, codec, request, this.#callMetadata(), {
        ...(options.timeoutMs !== undefined ? { deadline: Date.now() + options.timeoutMs } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      })) as Res;
    } catch (error) {
      throw fromStatus(error as grpc.ServiceError, site);
    }
  }

  /** A server-streaming ExporterService call as an async iterable; `expectCancel` ends quietly on CANCELLED. */
  async *#serverStream<Res>(name: string, request: unknown, options: CallOptions, site: CallSite, expectCancel: boolean): AsyncGenerator<Res> {
    const { path, codec } = exporterMethod(name);
    const call = this.#client.serverStream(
      path,
      codec,
      request,
      this.#callMetadata(),
      options.timeoutMs !== undefined ? { deadline: Date.now() + options.timeoutMs } : {},
    );
    const abort = () => call.cancel();
    options.signal?.addEventListener("abort", abort, { once: true });
    try {
      for await (const response of call) yield response as Res;
    } catch (error) {
      if (expectCancel && (error as grpc.ServiceError).code === grpc.status.CANCELLED) return;
      throw fromStatus(error as grpc.ServiceError, site);
    } finally {
      options.signal?.removeEventListener("abort", abort);
      call.cancel();
    }
  }

  /** Waits until the connection is up (or fails with UNAVAILABLE after `timeoutMs`). */
  async waitForReady(timeoutMs = 10_000): Promise<void> {
    try {
      await this.#client.waitForReady(Date.now() + timeoutMs);
    } catch (error) {
      throw fromStatus(error as grpc.ServiceError);
    }
  }

  /** ExporterService.GetReport. */
  getReport(options?: CallOptions): Promise<GetReportResponse> {
    return this.#unary("getReport", create(EmptySchema), options);
  }

  /** ExporterService.DriverCall; errors carry the reference client's message format. */
  async driverCall(uuid: string, method: string, args: Value[], options?: CallOptions): Promise<Value | undefined> {
    const response = await this.#unary<DriverCallResponse>("driverCall", { uuid, method, args }, options, { method, kind: "unary" });
    return response.result;
  }

  /** ExporterService.StreamingDriverCall as an async iterable of results. */
  async *streamingDriverCall(uuid: string, method: string, args: Value[], options: CallOptions = {}): AsyncGenerator<Value | undefined> {
    for await (const response of this.#serverStream<StreamingDriverCallResponse>("streamingDriverCall", { uuid, method, args }, options, { method, kind: "streaming" }, false)) {
      yield response.result;
    }
  }

  /** ExporterService.LogStream as an async iterable; ends quietly when cancelled. */
  logStream(options: CallOptions = {}): AsyncGenerator<LogStreamResponse> {
    return this.#serverStream<LogStreamResponse>("logStream", create(EmptySchema), { ...(options.signal ? { signal: options.signal } : {}) }, {}, true);
  }

  /** ExporterService.GetStatus. */
  getStatus(options?: CallOptions): Promise<GetStatusResponse> {
    return this.#unary("getStatus", {}, options);
  }

  /** ExporterService.EndSession. */
  endSession(options?: CallOptions): Promise<EndSessionResponse> {
    return this.#unary("endSession", {}, { timeoutMs: 5000, ...options });
  }

  /**
   * Opens RouterService.Stream with `request` metadata and waits for the exporter's response headers, so a
   * driver that cannot open its device fails here with its status.
   */
  async openStream(request: object, options: CallOptions = {}): Promise<{ stream: RouterByteStream; metadata: grpc.Metadata }> {
    if (options.signal?.aborted) throw new CancelledError("the stream was aborted before it opened");
    const call = openRouterCall(this.#client, this.#callMetadata({ request: JSON.stringify(request) }));
    const abort = () => call.cancel();
    options.signal?.addEventListener("abort", abort, { once: true });
    try {
      const [metadata] = (await Promise.race([
        once(call, "metadata"),
        once(call, "status").then(([status]) => {
          throw status as grpc.StatusObject;
        }),
      ]).catch((status: grpc.StatusObject) => {
        throw fromStatus(status, { kind: "stream" });
      })) as [grpc.Metadata];
      const stream = new RouterByteStream(call, "client");
      this.#streams.add(stream);
      stream.once("close", () => {
        this.#streams.delete(stream);
        options.signal?.removeEventListener("abort", abort);
      });
      return { stream, metadata };
    } catch (error) {
      options.signal?.removeEventListener("abort", abort);
      call.cancel();
      throw error;
    }
  }

  /** Closes the channel; calls in flight are cancelled and open raw streams closed (without an error). */
  close(): void {
    for (const stream of [...this.#streams]) stream.destroy();
    this.#client.close();
  }
}
