/**
 * @module
 * Port forwarding: a local listener whose every accepted connection is relayed over its own `connect`
 * stream, so local tools (ssh, curl, adb…) reach the service behind a network driver.
 */
import { once } from "node:events";
import { createServer } from "node:net";
import type { AddressInfo, Server, Socket } from "node:net";
import type { Duplex } from "node:stream";

/** A running forward. Close (or dispose) it to stop listening and drop open connections. */
export interface PortForward extends AsyncDisposable {
  /** Where it listens: `host:port` (IPv6 hosts in brackets) or the unix socket path. */
  readonly address: string;
  /** Listening host for TCP forwards (undefined for unix sockets). */
  readonly host: string | undefined;
  /** Listening port for TCP forwards (undefined for unix sockets). */
  readonly port: number | undefined;
  /** Connections currently relayed. */
  readonly connections: number;
  close(): Promise<void>;
}

/** Options of a forward. */
export interface ForwardOptions {
  /** Called when opening the remote stream for an accepted connection fails (the connection is dropped). */
  readonly onError?: (error: unknown) => void;
}

/** Relays `a` and `b` both ways; end-of-stream is passed on per direction, errors tear both down. */
export function splice(a: Duplex, b: Duplex): void {
  a.pipe(b);
  b.pipe(a);
  a.on("error", () => b.destroy());
  b.on("error", () => a.destroy());
  // An abrupt close (reset, cancelled call) of one side aborts the other; a clean close lets it drain.
  a.once("close", () => {
    if (!a.readableEnded) b.destroy();
  });
  b.once("close", () => {
    if (!b.readableEnded) a.destroy();
  });
}

class Forwarder implements PortForward {
  readonly #server: Server;
  readonly #open: () => Promise<Duplex>;
  readonly #onError: ((error: unknown) => void) | undefined;
  readonly #live = new Set<Duplex>();
  #connections = 0;
  #closing: Promise<void> | undefined;

  constructor(open: () => Promise<Duplex>, options: ForwardOptions) {
    this.#open = open;
    this.#onError = options.onError;
    this.#server = createServer({ allowHalfOpen: true }, (socket) => this.#accept(socket));
  }

  async listen(how: { port: number; host: string } | { path: string }): Promise<this> {
    this.#server.listen(how);
    await once(this.#server, "listening");
    return this;
  }

  get address(): string {
    const address = this.#server.address();
    if (typeof address === "string") return address;
    const { address: host, port } = address as AddressInfo;
    return `${host.includes(":") ? `[${host}]` : host}:${port}`;
  }

  get host(): string | undefined {
    const address = this.#server.address();
    return address !== null && typeof address === "object" ? address.address : undefined;
  }

  get port(): number | undefined {
    const address = this.#server.address();
    return address !== null && typeof address === "object" ? address.port : undefined;
  }

  get connections(): number {
    return this.#connections;
  }

  #track(stream: Duplex): void {
    this.#live.add(stream);
    stream.once("close", () => this.#live.delete(stream));
  }

  #accept(socket: Socket): void {
    this.#track(socket);
    this.#connections++;
    socket.once("close", () => this.#connections--);
    socket.on("error", () => {});
    this.#open().then(
      (stream) => {
        if (this.#closing !== undefined || socket.destroyed) {
          stream.destroy();
          return;
        }
        this.#track(stream);
        splice(socket, stream);
      },
      (error: unknown) => {
        this.#onError?.(error);
        socket.destroy();
      },
    );
  }

  close(): Promise<void> {
    return (this.#closing ??= (async () => {
      const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
      for (const stream of this.#live) stream.destroy();
      this.#live.clear();
      await closed;
    })());
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** Listens on TCP `host:port` (port 0: any free port) and relays each connection over `open()`. */
export function forwardTcp(open: () => Promise<Duplex>, port = 0, host = "127.0.0.1", options: ForwardOptions = {}): Promise<PortForward> {
  return new Forwarder(open, options).listen({ port, host });
}

/** Listens on the unix socket `path` (removed again on close) and relays each connection over `open()`. */
export function forwardUnix(open: () => Promise<Duplex>, path: string, options: ForwardOptions = {}): Promise<PortForward> {
  return new Forwarder(open, options).listen({ path });
}
