/**
 * @module
 * Calls to a controller (ControllerService, client.v1 ClientService) or a router (RouterService) over TLS,
 * typed from the generated service descriptors. `tls.ca` is a base64 PEM bundle; `tls.insecure` (or
 * `JMP_GRPC_INSECURE=1`) keeps TLS but accepts whatever certificate the server presents (spec
 * controller-and-router §9, vectors README "controller-facing facts").
 */
import type { DescMessage, DescMethodServerStreaming, DescMethodUnary, DescService, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import type { CodecOverrides } from "@jumpstarter/protocol";
import { grpcServiceDefinition } from "@jumpstarter/protocol";
import { CancelledError, fromStatus } from "@jumpstarter/core";

/** TLS settings of a ClientConfig / ExporterConfig. */
export interface TlsSettings {
  /** Base64 of a PEM CA bundle; empty for the system roots. */
  readonly ca: string;
  /** Accept any server certificate (the connection is still TLS). */
  readonly insecure: boolean;
}

/** Where a controller or router is and how to reach it. */
export interface Endpoint {
  /** `host:port`. */
  readonly address: string;
  readonly tls: TlsSettings;
  /** User channel options (`grpcOptions`), overriding the defaults. */
  readonly grpcOptions?: Readonly<Record<string, string | number>>;
}

/** Per-call options. */
export interface RpcOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

const truthy = new Set(["1", "true", "yes", "on"]);

/** Whether the environment forces insecure TLS (`JMP_GRPC_INSECURE` / `JUMPSTARTER_GRPC_INSECURE`). */
export function insecureFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return [env["JMP_GRPC_INSECURE"], env["JUMPSTARTER_GRPC_INSECURE"]].some((value) => truthy.has((value ?? "").toLowerCase()));
}

/** Decodes `tls.ca` (base64 PEM); a value that already is PEM is taken as is. */
export function decodeCa(ca: string): Buffer | null {
  const text = ca.trim();
  if (!text) return null;
  if (text.startsWith("-----BEGIN")) return Buffer.from(text);
  return Buffer.from(text, "base64");
}

/** TLS channel credentials for `tls`. */
export function channelCredentials(tls: TlsSettings, env: NodeJS.ProcessEnv = process.env): grpc.ChannelCredentials {
  if (tls.insecure || insecureFromEnv(env)) {
    return grpc.credentials.createSsl(null, null, null, { rejectUnauthorized: false, checkServerIdentity: () => undefined });
  }
  return grpc.credentials.createSsl(decodeCa(tls.ca));
}

/** Channel defaults: keepalive like the reference, and quick reconnects once a restarted peer is back. */
const channelDefaults: grpc.ChannelOptions = {
  "grpc.keepalive_time_ms": 20_000,
  "grpc.keepalive_timeout_ms": 20_000,
  "grpc.keepalive_permit_without_calls": 1,
  "grpc.http2.max_pings_without_data": 0,
  "grpc.initial_reconnect_backoff_ms": 200,
  "grpc.max_reconnect_backoff_ms": 2000,
  "grpc.max_receive_message_length": -1,
  "grpc.max_send_message_length": -1,
};

type UnaryFn = (
  request: unknown,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response?: unknown) => void,
) => grpc.ClientUnaryCall;
type ServerStreamFn = (request: unknown, metadata: grpc.Metadata, options: grpc.CallOptions) => grpc.ClientReadableStream<unknown>;

const constructors = new Map<DescService, grpc.ServiceClientConstructor>();

function clientConstructor(service: DescService, overrides?: CodecOverrides): grpc.ServiceClientConstructor {
  let made = constructors.get(service);
  if (!made) {
    made = grpc.makeGenericClientConstructor(grpcServiceDefinition(service, overrides), service.name);
    constructors.set(service, made);
  }
  return made;
}

/** Channel options for `endpoint`. */
export function channelOptions(endpoint: Endpoint): grpc.ChannelOptions {
  return { ...channelDefaults, ...endpoint.grpcOptions };
}

/** A typed client of one service on one channel; `metadata` goes with every call. */
export class RpcClient {
  readonly address: string;
  readonly client: grpc.Client;
  readonly #metadata: Readonly<Record<string, string>>;

  constructor(service: DescService, endpoint: Endpoint, metadata: Readonly<Record<string, string>>, overrides?: CodecOverrides) {
    this.address = endpoint.address;
    const Client = clientConstructor(service, overrides);
    this.client = new Client(endpoint.address, channelCredentials(endpoint.tls), channelOptions(endpoint));
    this.#metadata = metadata;
  }

  /** The call metadata, plus `extra`. */
  metadata(extra: Readonly<Record<string, string>> = {}): grpc.Metadata {
    const metadata = new grpc.Metadata();
    for (const [key, value] of Object.entries({ ...this.#metadata, ...extra })) metadata.set(key, value);
    return metadata;
  }

  /** One unary call; failures become core errors carrying the gRPC code and the server's text. */
  unary<I extends DescMessage, O extends DescMessage>(
    method: DescMethodUnary<I, O>,
    request: MessageInitShape<I>,
    options: RpcOptions = {},
  ): Promise<MessageShape<O>> {
    const fn = (this.client as unknown as Record<string, UnaryFn>)[method.localName]!.bind(this.client);
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted) return reject(new CancelledError("the call was aborted before it started"));
      const callOptions: grpc.CallOptions = options.timeoutMs !== undefined ? { deadline: Date.now() + options.timeoutMs } : {};
      const abort = () => call.cancel();
      const call = fn(request, this.metadata(), callOptions, (error, response) => {
        options.signal?.removeEventListener("abort", abort);
        if (error) reject(fromStatus(error));
        else resolve(response as MessageShape<O>);
      });
      options.signal?.addEventListener("abort", abort, { once: true });
    });
  }

  /** A server-streaming call as an async iterable; ends quietly when `signal` aborts. */
  async *serverStream<I extends DescMessage, O extends DescMessage>(
    method: DescMethodServerStreaming<I, O>,
    request: MessageInitShape<I>,
    options: RpcOptions = {},
  ): AsyncGenerator<MessageShape<O>> {
    const fn = (this.client as unknown as Record<string, ServerStreamFn>)[method.localName]!.bind(this.client);
    const call = fn(request, this.metadata(), {});
    const abort = () => call.cancel();
    options.signal?.addEventListener("abort", abort, { once: true });
    try {
      for await (const message of call) yield message as MessageShape<O>;
    } catch (error) {
      if (options.signal?.aborted) return;
      throw fromStatus(error as grpc.ServiceError);
    } finally {
      options.signal?.removeEventListener("abort", abort);
      call.cancel();
    }
  }

  /** Closes the channel. */
  close(): void {
    this.client.close();
  }
}
