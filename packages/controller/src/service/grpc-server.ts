/**
 * @module
 * A gRPC server on one `host:port` (TLS or plaintext) carrying a list of services; shared by the controller
 * and the standalone router.
 */
import type * as grpc from "@grpc/grpc-js";
import { GrpcServer as Http2GrpcServer } from "@jumpstarter/grpc-http2";

/** One service to serve. */
export interface ServedService {
  readonly definition: grpc.ServiceDefinition;
  readonly implementation: grpc.UntypedServiceImplementation;
}

/** Options of {@link startGrpcServer}. */
export interface GrpcServerOptions {
  /** `host:port`; port 0 picks a free one. */
  readonly address: string;
  /** PEM certificate chain and key; plaintext when omitted. */
  readonly tls?: { readonly cert: string; readonly key: string };
  readonly services: readonly ServedService[];
  readonly grpcOptions?: grpc.ServerOptions;
}

/** A running server. */
export interface GrpcServer {
  /** `host:port` with the bound port. */
  readonly address: string;
  readonly port: number;
  /** Stops accepting and ends the calls in flight (those still open after a short grace period are cancelled). */
  close(): Promise<void>;
}

/** How long calls in flight get to finish when the server closes. */
const CLOSE_GRACE_MS = 1000;

/**
 * Starts a server with `services` on `address`. It runs on `@jumpstarter/grpc-http2`, like the exporter
 * session: the router relays every byte of a remote session, and there a frame goes from one call to the other
 * as views of what was read, with wide flow-control windows (docs/grpc-http2.md). Of `grpcOptions`,
 * `grpc.max_receive_message_length` applies.
 */
export async function startGrpcServer(options: GrpcServerOptions): Promise<GrpcServer> {
  const maxReceive = options.grpcOptions?.["grpc.max_receive_message_length"];
  const server = new Http2GrpcServer(typeof maxReceive === "number" && maxReceive >= 0 ? { maxReceiveMessageLength: maxReceive } : {});
  for (const service of options.services) {
    server.addService(service.definition, service.implementation as Readonly<Record<string, (...args: never[]) => void>>);
  }
  let address: string;
  try {
    address = await server.listen(options.address, options.tls);
  } catch (error) {
    await server.close();
    throw error;
  }
  const port = Number(address.slice(address.lastIndexOf(":") + 1));
  let closing: Promise<void> | undefined;
  return {
    address,
    port,
    close: () => (closing ??= server.close(CLOSE_GRACE_MS)),
  };
}
