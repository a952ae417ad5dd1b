/**
 * @module
 * Puts an exporter session on a listening gRPC server: a unix socket (local mode), or TCP with or without TLS
 * (direct mode).
 */
import { rm } from "node:fs/promises";
import * as grpc from "@grpc/grpc-js";
import { grpcServiceDefinition } from "@jumpstarter/protocol";
import { ExporterService } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import { RouterService } from "@jumpstarter/protocol/gen/jumpstarter/v1/router_pb";
import { serverWindow } from "../streams/flow-control.js";
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
  /** Extra grpc-js server options. */
  readonly grpcOptions?: grpc.ServerOptions;
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

/** Server options tuned for large raw streams. */
export const defaultServerOptions: grpc.ServerOptions = {
  "grpc.max_receive_message_length": -1,
  "grpc.max_send_message_length": -1,
  "grpc.keepalive_permit_without_calls": 1,
};

function normalizeAddress(address: string): string {
  if (address.startsWith("/")) return `unix:${address}`;
  return address;
}

/** Serves `session` at `options.address`. */
export async function listenSession(session: ExporterSession, options: ListenOptions): Promise<SessionServer> {
  const server = new grpc.Server({ ...defaultServerOptions, ...options.grpcOptions });
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
          const status = Object.assign(new Error(message), { code: code ?? grpc.status.UNAUTHENTICATED, details: message ?? "unauthenticated" });
          if (callback) callback(status);
          else call.emit("error", status);
          return;
        }
        (handler as (...args: unknown[]) => void)(call, callback);
      };
    }
    return wrapped as H;
  };
  server.addService(exporterServiceDefinition, wrap(session.exporterService) as unknown as grpc.UntypedServiceImplementation);
  server.addService(routerServiceDefinition, wrap(session.routerService) as unknown as grpc.UntypedServiceImplementation);
  const address = normalizeAddress(options.address);
  const credentials = options.tls
    ? grpc.ServerCredentials.createSsl(
        options.tls.clientCa ? Buffer.from(options.tls.clientCa) : null,
        [{ private_key: Buffer.from(options.tls.key), cert_chain: Buffer.from(options.tls.cert) }],
        options.tls.clientCa !== undefined,
      )
    : grpc.ServerCredentials.createInsecure();
  // A wider receive window only where the socket buffer is known to exceed it: see flow-control.ts.
  const local = address.startsWith("unix:");
  if (local) serverWindow.before(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(address, credentials, (error, boundPort) => (error ? reject(error) : resolve(boundPort))),
  );
  if (local) serverWindow.after(server);
  const bound = address.startsWith("unix:") ? address : `${address.slice(0, address.lastIndexOf(":"))}:${port}`;
  let closed: Promise<void> | undefined;
  return {
    address: bound,
    close: () =>
      (closed ??= (async () => {
        await new Promise<void>((resolve) => {
          // forceShutdown cancels calls in flight (open streams, LogStream) that would hold a graceful shutdown
          // forever; the grace timer bounds the wait for an HTTP/2 session that never reports its close.
          const grace = setTimeout(resolve, 1000);
          server.tryShutdown(() => {
            clearTimeout(grace);
            resolve();
          });
          server.forceShutdown();
        });
        if (address.startsWith("unix:")) await rm(address.slice("unix:".length), { force: true });
      })()),
  };
}
