/**
 * @module
 * The caller's side of a router tunnel: a `RouterService.Stream` on a router endpoint, authenticated with the
 * router token from Dial/Listen, as a byte stream; and {@link bridgeStreams}, which joins it to a local socket
 * (the client's per-connection socket or the exporter session's socket).
 */
import type { Duplex } from "node:stream";
import * as grpc from "@grpc/grpc-js";
import { RouterByteStream, grpcClientOptions, openRouterCall } from "@jumpstarter/core";
import { GrpcClient } from "@jumpstarter/grpc-http2";

/** TLS settings for reaching a router (the client/exporter config's `tls` block). */
export interface TunnelTls {
  /** PEM CA bundle; system roots when omitted. */
  readonly ca?: string | Buffer;
  /** Accept any certificate (still encrypted). */
  readonly insecure?: boolean;
}

/** Options of a {@link RouterTunnelClient}. */
export interface RouterTunnelClientOptions {
  /** `host:port` of the router, as Dial/Listen returned it. */
  readonly endpoint: string;
  /** TLS settings; `false` for a plaintext router (tests, benchmarks). */
  readonly tls: TunnelTls | false;
  /** The user's `grpcOptions` (grpc-js names; see `grpcClientOptions` for those that apply). */
  readonly grpcOptions?: grpc.ChannelOptions;
}

/**
 * One connection to a router, opening one tunnel per token. It runs on `@jumpstarter/grpc-http2`, like the
 * exporter connection: every byte of a remote session crosses it.
 */
export class RouterTunnelClient {
  readonly #client: GrpcClient;

  constructor(options: RouterTunnelClientOptions) {
    this.#client = new GrpcClient(grpcClientOptions(options.endpoint, options.tls === false ? undefined : options.tls, options.grpcOptions));
  }

  /** Opens the tunnel for `token`; bytes flow once the router paired it with the other side. */
  open(token: string): RouterByteStream {
    const metadata = new grpc.Metadata();
    metadata.set("authorization", `Bearer ${token}`);
    return new RouterByteStream(openRouterCall(this.#client, metadata), "client");
  }

  /** Closes the connection. */
  close(): void {
    this.#client.close();
  }
}

/**
 * Pipes `a` and `b` into each other until both directions ended (or either failed), then destroys both.
 * Resolves when both are closed; never rejects.
 */
export function bridgeStreams(a: Duplex, b: Duplex): Promise<void> {
  return new Promise<void>((resolve) => {
    let closed = 0;
    const onClose = () => {
      a.destroy();
      b.destroy();
      if (++closed === 2) resolve();
    };
    const settle = () => {
      if ((a.readableEnded || a.destroyed) && (b.readableEnded || b.destroyed) && a.writableFinished && b.writableFinished) {
        a.destroy();
        b.destroy();
      }
    };
    for (const stream of [a, b]) {
      stream.once("close", onClose);
      stream.on("error", () => undefined);
      stream.once("end", settle);
      stream.once("finish", settle);
    }
    a.pipe(b);
    b.pipe(a);
  });
}
