/**
 * @module
 * Tunnels one byte connection through a router (spec controller §6–7): `RouterService.Stream` on the router
 * endpoint with the router token, frames ⇄ bytes through core's `RouterByteStream`, spliced to a local
 * socket (the exporter's session socket on one end, a `j` connection on the other). The HTTP/2 of the
 * gRPC connection between client and exporter travels inside, untouched.
 */
import { once } from "node:events";
import type { Duplex } from "node:stream";
import type { ClientDuplexStream } from "@grpc/grpc-js";
import type { Frame } from "@jumpstarter/core";
import { RouterByteStream } from "@jumpstarter/core";
import { routerClient } from "./controller.js";
import type { TlsSettings } from "./rpc.js";

/** Where and how to open the router stream. */
export interface RouterTicket {
  readonly endpoint: string;
  readonly token: string;
  readonly tls: TlsSettings;
  readonly grpcOptions?: Readonly<Record<string, string | number>>;
}

/** An open tunnel; `done` settles once both sides are closed. */
export interface Tunnel {
  readonly done: Promise<void>;
  /** Tears the tunnel down at once. */
  close(): void;
}

/** How long a half-finished splice may linger after one side is fully closed. */
const LINGER_MS = 5000;

/**
 * Pipes `local` and `remote` into each other until both are closed. An error on either side destroys both;
 * a side that closes cleanly lets the other flush and end, then closes it after a grace period.
 */
export function splice(local: Duplex, remote: Duplex): Promise<void> {
  return new Promise((resolve) => {
    let closed = 0;
    let timer: NodeJS.Timeout | undefined;
    const fail = () => {
      local.destroy();
      remote.destroy();
    };
    const onClose = (other: Duplex) => () => {
      closed++;
      if (closed === 2) {
        clearTimeout(timer);
        resolve();
        return;
      }
      if (!other.writableEnded) other.end();
      timer = setTimeout(() => other.destroy(), LINGER_MS);
      timer.unref();
    };
    local.on("error", fail);
    remote.on("error", fail);
    local.once("close", onClose(remote));
    remote.once("close", onClose(local));
    local.pipe(remote);
    remote.pipe(local);
  });
}

/**
 * Opens the router stream of `ticket` and splices `local` to it. The router answers nothing until its
 * peer arrives, so no response is awaited before data flows.
 */
export function openTunnel(ticket: RouterTicket, local: Duplex): Tunnel {
  const client = routerClient(ticket.endpoint, ticket.token, ticket.tls, ticket.grpcOptions);
  const start = (client.client as unknown as Record<string, (metadata: ReturnType<typeof client.metadata>) => ClientDuplexStream<Frame, Frame>>)["stream"]!.bind(
    client.client,
  );
  const call = start(client.metadata());
  const remote = new RouterByteStream(call, "client");
  const done = splice(local, remote).finally(() => client.close());
  return {
    done,
    close: () => {
      local.destroy();
      remote.destroy();
    },
  };
}

/** Waits for `socket` to connect (or fail). */
export async function connected(socket: Duplex & { connecting?: boolean }): Promise<void> {
  if (socket.connecting === false) return;
  await Promise.race([once(socket, "connect"), once(socket, "ready")]);
}
