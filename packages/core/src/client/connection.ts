/**
 * @module
 * A client connection to an exporter session: one HTTP/2 channel carrying ExporterService calls and
 * RouterService streams.
 */
import { once } from "node:events";
import { create } from "@bufbuild/protobuf";
import { EmptySchema } from "@bufbuild/protobuf/wkt";
import type { Value } from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
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
import { RouterService } from "@jumpstarter/protocol/gen/jumpstarter/v1/router_pb";
import type { CallSite } from "../errors.js";
import { CancelledError, fromStatus } from "../errors.js";
import { RouterByteStream } from "../streams/byte-stream.js";
import type { Frame } from "../streams/frames.js";
import { CLIENT_RECEIVE_WINDOW_BYTES } from "../streams/flow-control.js";
import { frameCodecs } from "../streams/frames.js";

/** How to reach an exporter session. */
export interface ConnectOptions {
  /** `unix:/path`, an absolute socket path, or `host:port`. */
  readonly address: string;
  /** TLS for TCP targets; omit for plaintext (unix sockets are always plaintext). */
  readonly tls?: {
    /** PEM CA bundle to trust; system roots when omitted. */
    readonly ca?: string | Buffer;
    /** Accept any server certificate (still encrypted). */
    readonly insecure?: boolean;
    /** Client certificate and key for mTLS. */
    readonly cert?: string | Buffer;
    readonly key?: string | Buffer;
  };
  /** Metadata added to every call (e.g. `x-jumpstarter-passphrase`). */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Extra grpc-js channel options (user `grpcOptions`). */
  readonly grpcOptions?: grpc.ChannelOptions;
}

/** Per-call options. */
export interface CallOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

/** Channel defaults of the reference client (keepalive) plus large-message limits for raw streams. */
const defaultChannelOptions: grpc.ChannelOptions = {
  "grpc.keepalive_time_ms": 20_000,
  "grpc.keepalive_timeout_ms": 180_000,
  "grpc.http2.max_pings_without_data": 0,
  "grpc.keepalive_permit_without_calls": 1,
  "grpc.max_receive_message_length": -1,
  "grpc.max_send_message_length": -1,
  "grpc-node.flow_control_window": CLIENT_RECEIVE_WINDOW_BYTES,
};

const ExporterClient = grpc.makeGenericClientConstructor(grpcServiceDefinition(ExporterService), "ExporterService");
const RouterClient = grpc.makeGenericClientConstructor(grpcServiceDefinition(RouterService, frameCodecs), "RouterService");

type UnaryMethod<Res> = (
  request: unknown,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response?: Res) => void,
) => grpc.ClientUnaryCall;
type StreamMethod = (request: unknown, metadata: grpc.Metadata, options: grpc.CallOptions) => grpc.ClientReadableStream<unknown>;

function credentialsFor(options: ConnectOptions): grpc.ChannelCredentials {
  const tls = options.tls;
  if (!tls || options.address.startsWith("unix:") || options.address.startsWith("/")) {
    return grpc.credentials.createInsecure();
  }
  return grpc.credentials.createSsl(
    tls.ca ? Buffer.from(tls.ca) : null,
    tls.key ? Buffer.from(tls.key) : null,
    tls.cert ? Buffer.from(tls.cert) : null,
    tls.insecure ? { rejectUnauthorized: false, checkServerIdentity: () => undefined } : {},
  );
}

/** A connection to one exporter session. */
export class ExporterConnection {
  readonly address: string;
  readonly #exporter: grpc.Client;
  readonly #router: grpc.Client;
  readonly #metadata: Readonly<Record<string, string>>;
  readonly #streams = new Set<RouterByteStream>();

  constructor(options: ConnectOptions) {
    this.address = options.address.startsWith("/") ? `unix:${options.address}` : options.address;
    const channelOptions = { ...defaultChannelOptions, ...options.grpcOptions };
    this.#exporter = new ExporterClient(this.address, credentialsFor(options), channelOptions);
    this.#router = new RouterClient(this.address, credentialsFor(options), {
      ...channelOptions,
      channelOverride: this.#exporter.getChannel(),
    });
    this.#metadata = options.metadata ?? {};
  }

  #callMetadata(extra?: Record<string, string>): grpc.Metadata {
    const metadata = new grpc.Metadata();
    for (const [key, value] of Object.entries(this.#metadata)) metadata.set(key, value);
    if (extra) for (const [key, value] of Object.entries(extra)) metadata.set(key, value);
    return metadata;
  }

  #unary<Res>(name: string, request: unknown, options: CallOptions = {}, site: CallSite = {}): Promise<Res> {
    const method = (this.#exporter as unknown as Record<string, UnaryMethod<Res>>)[name]!.bind(this.#exporter);
    return new Promise<Res>((resolve, reject) => {
      if (options.signal?.aborted) return reject(new CancelledError("the call was aborted before it started"));
      const callOptions: grpc.CallOptions = options.timeoutMs !== undefined ? { deadline: Date.now() + options.timeoutMs } : {};
      const call = method(request, this.#callMetadata(), callOptions, (error, response) => {
        options.signal?.removeEventListener("abort", abort);
        if (error) reject(fromStatus(error, site));
        else resolve(response as Res);
      });
      const abort = () => call.cancel();
      options.signal?.addEventListener("abort", abort, { once: true });
    });
  }

  /** Waits until the channel is connected (or fails with UNAVAILABLE after `timeoutMs`). */
  async waitForReady(timeoutMs = 10_000): Promise<void> {
    await new Promise<void>((resolve, reject) =>
      this.#exporter.waitForReady(Date.now() + timeoutMs, (error) =>
        error ? reject(fromStatus({ code: grpc.status.UNAVAILABLE, details: `cannot connect to ${this.address}: ${error.message}` })) : resolve(),
      ),
    );
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
    const start = (this.#exporter as unknown as Record<string, StreamMethod>)["streamingDriverCall"]!.bind(this.#exporter);
    const callOptions: grpc.CallOptions = options.timeoutMs !== undefined ? { deadline: Date.now() + options.timeoutMs } : {};
    const call = start({ uuid, method, args }, this.#callMetadata(), callOptions);
    const abort = () => call.cancel();
    options.signal?.addEventListener("abort", abort, { once: true });
    try {
      for await (const response of call) yield (response as StreamingDriverCallResponse).result;
    } catch (error) {
      throw fromStatus(error as grpc.ServiceError, { method, kind: "streaming" });
    } finally {
      options.signal?.removeEventListener("abort", abort);
      call.cancel();
    }
  }

  /** ExporterService.LogStream as an async iterable. */
  async *logStream(options: CallOptions = {}): AsyncGenerator<LogStreamResponse> {
    const start = (this.#exporter as unknown as Record<string, StreamMethod>)["logStream"]!.bind(this.#exporter);
    const call = start(create(EmptySchema), this.#callMetadata(), {});
    const abort = () => call.cancel();
    options.signal?.addEventListener("abort", abort, { once: true });
    try {
      for await (const response of call) yield response as LogStreamResponse;
    } catch (error) {
      if ((error as grpc.ServiceError).code === grpc.status.CANCELLED) return;
      throw fromStatus(error as grpc.ServiceError);
    } finally {
      options.signal?.removeEventListener("abort", abort);
      call.cancel();
    }
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
    const start = (this.#router as unknown as Record<string, (metadata: grpc.Metadata) => grpc.ClientDuplexStream<Frame, Frame>>)["stream"]!.bind(
      this.#router,
    );
    const call = start(this.#callMetadata({ request: JSON.stringify(request) }));
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
      // Once the exporter has ended the call nothing more can be sent: close after the last byte is read.
      call.once("status", () => {
        if (stream.readableEnded) stream.destroy();
        else stream.once("end", () => stream.destroy());
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
    this.#router.close();
    this.#exporter.close();
  }
}
