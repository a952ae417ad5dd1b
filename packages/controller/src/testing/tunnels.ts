/**
 * @module
 * Both ends of router tunnels for tests, the way the reference exporter and client use them: the exporter
 * bridges each ListenResponse to its session socket; the client Dials once per local connection.
 */
import { createServer, connect } from "node:net";
import type { Server, Socket } from "node:net";
import { once } from "node:events";
import type * as grpc from "@grpc/grpc-js";
import type { ListenResponse } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import type { TunnelTls } from "../router/tunnel.js";
import { bridgeStreams, RouterTunnelClient } from "../router/tunnel.js";

/** Router channels by endpoint. */
export class TunnelPool {
  readonly #clients = new Map<string, RouterTunnelClient>();
  readonly #tls: TunnelTls | false;
  readonly bridges: Promise<void>[] = [];

  constructor(tls: TunnelTls | false) {
    this.#tls = tls;
  }

  /** Opens a tunnel on `endpoint` with `token` and bridges it to `socket`. */
  bridge(endpoint: string, token: string, socket: Socket): Promise<void> {
    let client = this.#clients.get(endpoint);
    if (!client) this.#clients.set(endpoint, (client = new RouterTunnelClient({ endpoint, tls: this.#tls })));
    const bridged = bridgeStreams(client.open(token), socket);
    this.bridges.push(bridged);
    return bridged;
  }

  close(): void {
    for (const client of this.#clients.values()) client.close();
    this.#clients.clear();
  }
}

/** Exporter side: every assignment on the Listen stream becomes a tunnel bridged to the session socket. */
export function bridgeListen(listen: grpc.ClientReadableStream<ListenResponse>, sessionSocket: string, pool: TunnelPool): void {
  listen.on("data", (response: ListenResponse) => {
    void pool.bridge(response.routerEndpoint, response.routerToken, connect(sessionSocket));
  });
}

/** Client side: a local unix socket; each accepted connection Dials and is bridged through the router. */
export async function dialingSocket(path: string, dial: () => Promise<{ routerEndpoint: string; routerToken: string }>, pool: TunnelPool): Promise<Server> {
  const server = createServer((socket: Socket) => {
    socket.pause();
    dial().then(
      (target) => void pool.bridge(target.routerEndpoint, target.routerToken, socket),
      () => socket.destroy(),
    );
  });
  server.listen(path);
  await once(server, "listening");
  return server;
}
