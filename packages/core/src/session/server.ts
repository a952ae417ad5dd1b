/**
 * @module
 * Puts an exporter session on a listening gRPC server: a unix socket (local mode), or TCP with or without TLS
 * (direct mode).
 */
import type * as grpc from "@grpc/grpc-js";
import { status as Status } from "@grpc/grpc-js";
import { GrpcServer } from "@jumpstarter/grpc-http2";
import type { GrpcServerOptions } from "@jumpstarter/grpc-http2";
import { grpcServiceDefinition } from "@jumpstarter/protocol";
import { ExporterService } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import { RouterService } from "@jumpstarter/protocol/gen/jumpstarter/v1/router_pb";
import { frameCodecs } from "../streams/frames.js";
import type { ExporterSession } from "./session.js";

/** TLS material for a TCP listener (PEM). */
export interface ServerTls {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  /** When set, clients must present a certificate signed by this CA. */
  readonly clientCa?: string | Buffer;
}

/** Where and how to listen. */
export interface ListenOptions {
  /** `unix:/path`, a bare absolute path, or `host:port` (port 0 picks a free one). */
  readonly address: string;
  readonly tls?: ServerTls;
  /** Windows and limits of the HTTP/2 server. */
  readonly serverOptions?: GrpcServerOptions;
  /** Checks call metadata before any handler runs; throw a JumpstarterError to refuse. */
  readonly authorize?: (metadata: grpc.Metadata) => void;
}

/** A running listener. */
export interface SessionServer {
  /** The bound address: `unix:/path` or `host:port` with the real port. */
  readonly address: string;
  /** Stops accepting, cancels calls in flight and removes the unix socket file. */
  close(): Promise<void>;
}

/** Service definitions shared by every exporter session server. */
export const exporterServiceDefinition: grpc.ServiceDefinition = grpcServiceDefinition(ExporterService);
/** RouterService with the zero-copy frame codec. */
export const routerServiceDefinition: grpc.ServiceDefinition = grpcServiceDefinition(RouterService, frameCodecs);

function normalizeAddress(address: string): string {
  if (address.startsWith("/")) return `unix:${address}`;
  return address;
}

/**
 * Serves `session` at `options.address` on `@jumpstarter/grpc-http2` (not grpc-js's server: it reads its socket
 * without pause, so wide receive windows are safe, and answers a unary call in one write; BENCHMARKS.md).
 */
export async function listenSession(session: ExporterSession, options: ListenOptions): Promise<SessionServer> {
  const server = new GrpcServer(options.serverOptions);
  const wrap = <H extends Record<string, (...args: never[]) => void>>(handlers: H): H => {
    const authorize = options.authorize;
    if (!authorize) return handlers;
    const wrapped: Record<string, unknown> = {};
    for (const [name, handler] of Object.entries(handlers)) {
      wrapped[name] = (call: { metadata: grpc.Metadata; emit: (event: string, error: unknown) => void }, callback?: grpc.sendUnaryData<unknown>) => {
        try {
          authorize(call.metadata);
        } catch (error) {
          const { code, message } = error as { code?: number; message?: string };
          const status = Object.assign(new Error(message), { code: code ?? Status.UNAUTHENTICATED, details: message ?? "unauthenticated" });
          if (callback) callback(status);
          else call.emit("error", status);
          return;
        }
        (handler as (...args: unknown[]) => void)(call, callback);
      };
    }
    return wrapped as H;
  };
  server.addService(exporterServiceDefinition, wrap(session.exporterService) as unknown as Record<string, (...args: never[]) => void>);
  server.addService(routerServiceDefinition, wrap(session.routerService) as unknown as Record<string, (...args: never[]) => void>);
  const address = normalizeAddress(options.address);
  const bound = await server.listen(address, options.tls);
  let closed: Promise<void> | undefined;
  return {
    address: bound,
    close: () => (closed ??= server.close()),
  };
}
