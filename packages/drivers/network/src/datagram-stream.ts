/**
 * @module
 * Client-side datagram mode for a raw stream: an object-mode `Duplex` where one write is sent as exactly one
 * DATA frame and one received DATA frame is read as exactly one chunk. The exporter relays frames of a
 * `UdpNetwork` (or websocket/echo) stream one datagram/message each, so boundaries hold end to end.
 * Zero-length datagrams cannot be represented (empty DATA frames are ignored by receivers).
 */
import { Duplex } from "node:stream";

/** Datagrams over a byte stream whose frames are kept intact. */
export class DatagramStream extends Duplex {
  readonly #inner: Duplex;

  /** Wraps `inner`, a stream returned by `DriverClient.stream()`; it must not be read or written elsewhere. */
  constructor(inner: Duplex) {
    super({ objectMode: true, allowHalfOpen: true });
    this.#inner = inner;
    inner.on("data", (frame: Buffer) => {
      if (!this.push(frame)) inner.pause();
    });
    inner.once("end", () => this.push(null));
    inner.once("error", (error) => this.destroy(error));
    inner.once("close", () => {
      if (!inner.readableEnded && !this.destroyed) this.destroy();
    });
  }

  override _read(): void {
    this.#inner.resume();
  }

  // Waiting for each inner write to complete before accepting the next keeps the inner stream from
  // batching queued writes into one frame.
  override _write(chunk: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (typeof chunk !== "string" && !(chunk instanceof Uint8Array)) {
      callback(new TypeError("datagrams must be Buffers, Uint8Arrays or strings"));
      return;
    }
    this.#inner.write(chunk, (error) => callback(error));
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#inner.end(() => callback());
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#inner.destroy();
    callback(error);
  }
}
