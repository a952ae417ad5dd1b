/**
 * @module
 * The client's end of `RouterService.Stream`, the call every raw byte stream rides on: to an exporter session
 * (exportstream, resources) or to a router (a tunnel to a session).
 */
import type * as grpc from "@grpc/grpc-js";
import type { ClientBidiCall, ClientCodec, GrpcClient, GrpcClientOptions, GrpcClientTls } from "@jumpstarter/grpc-http2";
import { RouterService } from "@jumpstarter/protocol/gen/jumpstarter/v1/router_pb";
import { CLIENT_RECEIVE_WINDOW_BYTES } from "./flow-control.js";
import { decodeFrame, decodeFrameParts, encodeFrame, encodeFrameParts } from "./frames.js";

const routerStreamPath = `/${RouterService.typeName}/${RouterService.method.stream.name}`;

/** Frames out (sent as their own pieces), frames in (views of what arrived). */
const routerStreamCodec: ClientCodec = {
  serialize: encodeFrame,
  serializeParts: encodeFrameParts,
  deserialize: decodeFrame,
  deserializeParts: decodeFrameParts,
};

/** Starts a `RouterService.Stream` call on `client` with `metadata` (`request`, or a router's `authorization`). */
export function openRouterCall(client: GrpcClient, metadata: grpc.Metadata): ClientBidiCall {
  return client.bidi(routerStreamPath, routerStreamCodec, metadata);
}

/** TLS of a client connection as configs give it. */
export interface ClientTls {
  /** PEM CA bundle to trust; system roots when omitted. */
  readonly ca?: string | Buffer;
  /** Accept any server certificate (still encrypted). */
  readonly insecure?: boolean;
  /** Client certificate and key for mTLS. */
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
}

/**
 * Options of a client connection to `address`, with the reference client's keepalive (every 20 s, even with no
 * call open; 180 s to answer) and wide receive windows. Of the user's `grpcOptions` (grpc-js names), `grpc.keepalive_time_ms`,
 * `grpc.keepalive_timeout_ms`, `grpc.max_receive_message_length`, `grpc.ssl_target_name_override` and
 * `grpc.enable_http_proxy` (0: ignore the proxy environment variables) apply.
 */
export function grpcClientOptions(address: string, tls: ClientTls | undefined, grpcOptions: Readonly<Record<string, unknown>> = {}): GrpcClientOptions {
  const number = (key: string): number | undefined => (typeof grpcOptions[key] === "number" ? (grpcOptions[key] as number) : undefined);
  const override = grpcOptions["grpc.ssl_target_name_override"];
  // A unix target has no TLS: GrpcClient leaves it out there.
  const secure: GrpcClientTls | undefined = tls ? { ...tls, ...(typeof override === "string" ? { servername: override } : {}) } : undefined;
  const maxReceive = number("grpc.max_receive_message_length");
  return {
    address,
    ...(secure ? { tls: secure } : {}),
    keepaliveMs: number("grpc.keepalive_time_ms") ?? 20_000,
    keepaliveTimeoutMs: number("grpc.keepalive_timeout_ms") ?? 180_000,
    keepaliveWithoutCalls: (number("grpc.keepalive_permit_without_calls") ?? 1) !== 0,
    ...(maxReceive !== undefined && maxReceive >= 0 ? { maxReceiveMessageLength: maxReceive } : {}),
    ...(grpcOptions["grpc.enable_http_proxy"] === 0 ? { proxy: false } : {}),
    streamWindow: CLIENT_RECEIVE_WINDOW_BYTES,
    connectionWindow: 2 * CLIENT_RECEIVE_WINDOW_BYTES,
  };
}
