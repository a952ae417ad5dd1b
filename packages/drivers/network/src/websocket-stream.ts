/**
 * @module
 * A websocket client connection as a Node `Duplex`: each write is sent as one binary message and each
 * received message (binary or text) is read as one chunk of bytes. The read side is in object mode so
 * the exporter relays one frame per message.
 */
import { once } from "node:events";
import { Duplex } from "node:stream";
import WebSocket from "ws";
import type { RawData } from "ws";
import { ConnectionError } from "@jumpstarter/core";
import { connectFailure } from "./open-socket.js";

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/**
 * Messages over a websocket. A websocket cannot half-close: ending the write side starts the closing
 * handshake, and the read side ends when the connection is closed.
 */
export class WebsocketStream extends Duplex {
  readonly #socket: WebSocket;

  constructor(socket: WebSocket) {
    super({ readableObjectMode: true, allowHalfOpen: true });
    this.#socket = socket;
    socket.on("message", (data: RawData) => {
      if (!this.push(toBuffer(data))) socket.pause();
    });
    socket.on("error", (error) => this.destroy(error));
    socket.once("close", () => this.push(null));
  }

  override _read(): void {
    if (this.#socket.isPaused) this.#socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.#socket.readyState !== WebSocket.OPEN) {
      callback(new ConnectionError("the websocket is closed"));
      return;
    }
    this.#socket.send(chunk, { binary: true }, (error) => callback(error));
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.#socket.readyState === WebSocket.OPEN) this.#socket.close(1000);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.#socket.readyState === WebSocket.OPEN || this.#socket.readyState === WebSocket.CONNECTING) {
      this.#socket.terminate();
    }
    callback(error);
  }
}

/** Opens a websocket to `url`; handshake failures (refused, HTTP error status) are UNAVAILABLE or mapped OS errors. */
export async function openWebsocket(url: string, signal?: AbortSignal): Promise<WebsocketStream> {
  const socket = new WebSocket(url);
  socket.binaryType = "nodebuffer";
  // Built before the handshake ends: a server may send its first message in the same packet as the upgrade.
  const stream = new WebsocketStream(socket);
  const ignore = () => {};
  stream.on("error", ignore);
  const rejected = new Promise<never>((_, reject) => {
    socket.once("unexpected-response", (_request, response) => {
      reject(new ConnectionError(`cannot connect to ${url}: the server answered HTTP ${response.statusCode} instead of a websocket`));
    });
  });
  try {
    await Promise.race([once(socket, "open", signal ? { signal } : {}), rejected]);
  } catch (error) {
    stream.destroy();
    throw error instanceof ConnectionError ? error : connectFailure(url, error);
  }
  stream.off("error", ignore);
  return stream;
}
