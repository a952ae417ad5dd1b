/**
 * @module
 * A connected UDP socket as a Node `Duplex` of datagrams: each write is sent as one datagram and each
 * received datagram is read as one chunk (the read side is in object mode, so the exporter relays one
 * frame per datagram).
 */
import { lookup } from "node:dns/promises";
import { once } from "node:events";
import { createSocket } from "node:dgram";
import type { Socket as UdpSocket } from "node:dgram";
import { isIP } from "node:net";
import { Duplex } from "node:stream";
import { connectFailure } from "./open-socket.js";

/**
 * Datagrams waiting to be read beyond this count are dropped, as a kernel socket buffer would drop them:
 * a UDP socket cannot be paused, so an unread backlog must not grow without bound.
 */
export const MAX_QUEUED_DATAGRAMS = 1024;

/** Datagrams over a connected UDP socket. Ending the write side closes the socket and ends the read side. */
export class UdpStream extends Duplex {
  readonly #socket: UdpSocket;
  #dropped = 0;
  #closed = false;

  constructor(socket: UdpSocket) {
    super({ readableObjectMode: true, allowHalfOpen: false });
    this.#socket = socket;
    socket.on("message", (datagram: Buffer) => {
      if (this.readableLength >= MAX_QUEUED_DATAGRAMS) this.#dropped++;
      else this.push(datagram);
    });
    socket.on("error", (error) => this.destroy(error));
    socket.once("close", () => {
      this.#closed = true;
      this.push(null);
    });
  }

  /** Received datagrams dropped because nobody read them in time. */
  get dropped(): number {
    return this.#dropped;
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#socket.send(chunk, (error) => callback(error));
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#close();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#close();
    callback(error);
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
  }
}

/** Creates a UDP socket connected to `host:port` (names are resolved first to pick IPv4 or IPv6). */
export async function openUdp(host: string, port: number, target: string, signal?: AbortSignal): Promise<UdpStream> {
  let address = host;
  let family = isIP(host);
  try {
    if (family === 0) ({ address, family } = await lookup(host));
  } catch (error) {
    throw connectFailure(target, error);
  }
  const socket = createSocket(family === 6 ? "udp6" : "udp4");
  try {
    socket.connect(port, address);
    await once(socket, "connect", signal ? { signal } : {});
  } catch (error) {
    socket.close();
    throw connectFailure(target, error);
  }
  return new UdpStream(socket);
}
