/**
 * @module
 * Echo services on 127.0.0.1 (TCP, unix, UDP, websocket) for network driver tests, each reporting what
 * happens on its side of the connection.
 */
import { createSocket } from "node:dgram";
import { EventEmitter, once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import type { AddressInfo, Server, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WebSocketServer, createWebSocketStream } from "ws";
import type { WebSocket } from "ws";

/**
 * The far end of a network driver in a test. `events` (absent when the driver has no separate far end, as
 * for `EchoNetwork`) emits `"connection"`, `"eof"` when the peer reads end-of-stream on a connection, and
 * `"disconnect"` when a connection is fully closed.
 */
export interface NetworkPeer extends AsyncDisposable {
  readonly events: EventEmitter | undefined;
  /** Connections currently open on the peer. */
  readonly openConnections: number;
  /**
   * Message peers only (UDP, websocket): sends `messages` back-to-back to the most recent client, each as
   * one datagram / message.
   */
  readonly burst?: (messages: readonly Buffer[]) => void;
  close(): Promise<void>;
}

/** A peer listening on `host:port`. */
export interface HostPortPeer extends NetworkPeer {
  readonly host: string;
  readonly port: number;
}

/** A peer listening on a unix socket. */
export interface UnixPeer extends NetworkPeer {
  readonly path: string;
}

/** A websocket peer. */
export interface WebsocketPeer extends NetworkPeer {
  readonly url: string;
}

/** No far end: for drivers that answer themselves. */
export function noPeer(): Promise<NetworkPeer> {
  const close = async () => {};
  return Promise.resolve({ events: undefined, openConnections: 0, close, [Symbol.asyncDispose]: close });
}

class StreamEchoPeer {
  readonly events = new EventEmitter();
  readonly server: Server;
  readonly #sockets = new Set<Socket>();

  constructor() {
    this.server = createServer({ allowHalfOpen: true }, (socket) => {
      this.#sockets.add(socket);
      this.events.emit("connection");
      socket.on("error", () => {});
      socket.once("end", () => this.events.emit("eof"));
      socket.once("close", () => {
        this.#sockets.delete(socket);
        this.events.emit("disconnect");
      });
      // Echo, and end our side once the client's side has ended.
      socket.pipe(socket);
    });
  }

  get openConnections(): number {
    return this.#sockets.size;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A TCP echo server on 127.0.0.1 (a free port unless `port` is given). */
export async function startTcpEchoPeer(port = 0): Promise<HostPortPeer> {
  const peer = new StreamEchoPeer();
  peer.server.listen(port, "127.0.0.1");
  await once(peer.server, "listening");
  const close = () => peer.close();
  return {
    events: peer.events,
    get openConnections() {
      return peer.openConnections;
    },
    host: "127.0.0.1",
    port: (peer.server.address() as AddressInfo).port,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** A unix socket echo server in a fresh temporary directory. */
export async function startUnixEchoPeer(): Promise<UnixPeer> {
  const directory = await mkdtemp(join(tmpdir(), "jumpstarter-network-"));
  const path = join(directory, "echo.sock");
  const peer = new StreamEchoPeer();
  peer.server.listen(path);
  await once(peer.server, "listening");
  const close = async () => {
    await peer.close();
    await rm(directory, { recursive: true, force: true });
  };
  return {
    events: peer.events,
    get openConnections() {
      return peer.openConnections;
    },
    path,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** A UDP echo service on 127.0.0.1: every datagram goes back to its sender unchanged. */
export async function startUdpEchoPeer(): Promise<HostPortPeer> {
  const socket = createSocket("udp4");
  const events = new EventEmitter();
  let last: { port: number; address: string } | undefined;
  socket.on("message", (datagram, sender) => {
    last = sender;
    events.emit("datagram", datagram);
    socket.send(datagram, sender.port, sender.address);
  });
  socket.bind(0, "127.0.0.1");
  await once(socket, "listening");
  const burst = (messages: readonly Buffer[]) => {
    if (!last) throw new Error("no client has sent a datagram yet");
    for (const message of messages) socket.send(message, last.port, last.address);
  };
  const close = () => new Promise<void>((resolve) => socket.close(() => resolve()));
  return { events, openConnections: 0, burst, host: "127.0.0.1", port: socket.address().port, close, [Symbol.asyncDispose]: close };
}

/** A websocket echo server on 127.0.0.1: every message goes back as it came (binary or text). */
export async function startWebsocketEchoPeer(): Promise<WebsocketPeer> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await once(server, "listening");
  const events = new EventEmitter();
  let open = 0;
  let last: WebSocket | undefined;
  server.on("connection", (socket) => {
    open++;
    last = socket;
    events.emit("connection");
    const stream = createWebSocketStream(socket);
    stream.on("error", () => {});
    stream.pipe(stream);
    socket.once("close", () => {
      open--;
      events.emit("eof");
      events.emit("disconnect");
    });
  });
  const close = async () => {
    for (const client of server.clients) client.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  const burst = (messages: readonly Buffer[]) => {
    if (!last) throw new Error("no client is connected");
    for (const message of messages) last.send(message, { binary: true });
  };
  const { port } = server.address() as AddressInfo;
  return {
    events,
    burst,
    get openConnections() {
      return open;
    },
    url: `ws://127.0.0.1:${port}/echo`,
    close,
    [Symbol.asyncDispose]: close,
  };
}
