/**
 * @module
 * A Node `Duplex` of raw bytes over a `RouterService.Stream` call, used on both ends: the exporter session
 * (exportstream relays and resources) and the client. DATA frames carry bytes, GOAWAY is end-of-file,
 * PING and RST_STREAM are ignored. Backpressure is carried through in both directions, so a transfer of any
 * size holds at most a few frames in memory.
 */
import { Duplex } from "node:stream";
import type { EventEmitter } from "node:events";
import type { ServiceError } from "@grpc/grpc-js";
import { Code, JumpstarterError, fromStatus, toStatus } from "../errors.js";
import type { Frame } from "./frames.js";
import { FrameType, PartedDataFrame, gatherDataFrames } from "./frames.js";

/**
 * What a byte stream needs of its call. grpc-js's duplex calls (client and server) and `@jumpstarter/grpc-http2`'s
 * (`ClientBidiCall`, `BidiCall`) all fit.
 */
export interface FrameCall extends EventEmitter {
  write(frame: Frame, callback?: () => void): boolean;
  pause(): unknown;
  resume(): unknown;
  end(): unknown;
}

/** A client's call can also be cancelled. */
interface ClientFrameCall extends FrameCall {
  cancel(): void;
}

/**
 * Largest DATA payload sent in one frame: far under the 4 MiB a default grpc peer (the Python client and
 * exporter) accepts per message. Few large messages cost far less CPU than many small ones (BENCHMARKS.md);
 * 1 MiB measured no better.
 */
const MAX_FRAME_PAYLOAD = 256 * 1024;

const goaway: Frame = { payload: new Uint8Array(0), frameType: FrameType.GOAWAY };

/** How long a client waits for the peer to end a call whose byte stream closed cleanly before cancelling it. */
const CLOSE_GRACE_MS = 5000;

/** Which end of the call this stream sits on. */
export type StreamSide = "client" | "server";

/** Options of a {@link RouterByteStream}. */
export interface RouterByteStreamOptions {
  /**
   * Send every written chunk as its own DATA frame, never merging queued writes, so message boundaries
   * (datagrams, websocket messages) survive the relay.
   */
  readonly framePerWrite?: boolean;
  /**
   * Push every received frame's payload as one chunk, even one that arrived in pieces, so message boundaries
   * survive towards a device that needs them (an object-mode writable: datagrams, websocket messages).
   */
  readonly keepBoundaries?: boolean;
}

/** Bytes over a router stream call. Destroying it cancels (client) or ends (server) the call. */
export class RouterByteStream extends Duplex {
  readonly #call: FrameCall;
  readonly #side: StreamSide;
  readonly #framePerWrite: boolean;
  readonly #keepBoundaries: boolean;
  #callDone = false;

  constructor(call: FrameCall, side: StreamSide, options: RouterByteStreamOptions = {}) {
    super({ allowHalfOpen: true, readableHighWaterMark: 256 * 1024, writableHighWaterMark: MAX_FRAME_PAYLOAD });
    this.#call = call;
    this.#side = side;
    this.#framePerWrite = options.framePerWrite ?? false;
    this.#keepBoundaries = options.keepBoundaries ?? false;
    call.on("data", (frame: Frame) => this.#onFrame(frame));
    call.on("end", () => {
      // grpc-js also ends the request side of a call the client cancelled, just before 'cancelled': only an
      // end that outlives this turn of the event loop is a half-close, else a cut-off upload would look whole.
      if (side === "client") this.push(null);
      else setImmediate(() => this.#callDone || this.push(null));
    });
    call.on("error", (error: ServiceError) => {
      this.#callDone = true;
      this.destroy(error.code === Code.CANCELLED && side === "server" ? undefined : fromStatus(error));
    });
    if (side === "client") {
      call.on("status", () => {
        this.#callDone = true;
        // The peer ended the call, so nothing more can be sent: close once the last byte was read.
        if (this.readableEnded) this.destroy();
        else this.once("end", () => this.destroy());
      });
    } else {
      call.on("cancelled", () => {
        this.#callDone = true;
        this.destroy();
      });
    }
  }

  #onFrame(frame: Frame): void {
    if (frame.frameType === FrameType.DATA) {
      if (frame instanceof PartedDataFrame && !this.#keepBoundaries) {
        let more = true;
        for (const part of frame.parts) if (part.length > 0) more = this.push(part);
        if (!more) this.#call.pause();
      } else if (frame.payload.byteLength > 0 && !this.push(frame.payload)) this.#call.pause();
    } else if (frame.frameType === FrameType.GOAWAY) {
      this.push(null);
    }
  }

  override _read(): void {
    this.#call.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#send([chunk], chunk.byteLength, callback);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    if (this.#framePerWrite) {
      const last = chunks.length - 1;
      for (let i = 0; i < last; i++) this.#call.write({ payload: chunks[i]!.chunk, frameType: FrameType.DATA });
      this.#call.write({ payload: chunks[last]!.chunk, frameType: FrameType.DATA }, () => callback());
      return;
    }
    let size = 0;
    const buffers = chunks.map(({ chunk }) => ((size += chunk.byteLength), chunk));
    this.#send(buffers, size, callback);
  }

  /**
   * Sends `chunks` as DATA frames that are views of them, copying nothing, and calls back once the call has
   * sent the last one: only then may the writer reuse its buffers. Writes made meanwhile wait in the writable
   * buffer and leave together in one bigger frame.
   */
  #send(chunks: readonly Buffer[], size: number, callback: (error?: Error | null) => void): void {
    if (size === 0) {
      callback();
      return;
    }
    const frames: Frame[] = this.#framePerWrite ? chunks.map((payload) => ({ payload, frameType: FrameType.DATA })) : gatherDataFrames(chunks, MAX_FRAME_PAYLOAD);
    const last = frames.length - 1;
    for (let i = 0; i < last; i++) this.#call.write(frames[i]!);
    this.#call.write(frames[last]!, () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#call.write(goaway);
    if (this.#side === "client") this.#call.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.#callDone) {
      this.#callDone = true;
      if (this.#side === "client") {
        const call = this.#call as ClientFrameCall;
        if (error === null && this.readableEnded && this.writableFinished) {
          // Both ways ended cleanly: let the half-close reach the peer (it may still be queued behind the last
          // write) and the call end with the peer's status; a peer that never ends it is cancelled after a while.
          const timer = setTimeout(() => call.cancel(), CLOSE_GRACE_MS);
          timer.unref();
          call.once("status", () => clearTimeout(timer));
        } else {
          call.cancel();
        }
      } else {
        const call = this.#call;
        if (error) {
          const { code, details } = toStatus(error);
          call.emit("error", Object.assign(new Error(details), { code, details }));
        } else {
          if (!this.writableFinished) call.write(goaway);
          call.end();
        }
      }
    }
    callback(error instanceof JumpstarterError || error === null ? error : JumpstarterError.from(error));
  }
}
