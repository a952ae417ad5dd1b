/**
 * @module
 * A grpc-js server on one `host:port` (TLS or plaintext) carrying a list of services; shared by the controller
 * and the standalone router.
 */
import * as grpc from "@grpc/grpc-js";
import { defaultServerOptions } from "@jumpstarter/core";

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
  /** Stops accepting and ends the calls in flight (open streams are cancelled after a short grace period). */
  close(): Promise<void>;
}

/** Server options: large frames for relayed streams, and keepalive pings from clients allowed as the reference does. */
export const controllerServerOptions: grpc.ServerOptions = {
  ...defaultServerOptions,
  "grpc.http2.min_ping_interval_without_data_ms": 10_000,
};

/** Starts a server with `services` on `address`. */
export async function startGrpcServer(options: GrpcServerOptions): Promise<GrpcServer> {
  const server = new grpc.Server({ ...controllerServerOptions, ...options.grpcOptions });
  for (const service of options.services) server.addService(service.definition, service.implementation);
  const credentials = options.tls
    ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: Buffer.from(options.tls.cert), private_key: Buffer.from(options.tls.key) }], false)
    : grpc.ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(options.address, credentials, (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  const host = options.address.slice(0, options.address.lastIndexOf(":"));
  let closing: Promise<void> | undefined;
  return {
    address: `${host}:${port}`,
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.forceShutdown(), 1000);
        timer.unref();
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      })),
  };
}
