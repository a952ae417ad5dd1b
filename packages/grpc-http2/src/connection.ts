/**
 * @module
 * One HTTP/2 connection (RFC 9113), either side, just as much as gRPC needs: no push, no priorities, no
 * upgrade from HTTP/1.1. {@link Http2Connection} holds what both sides share (framing, settings, flow control,
 * the write queue); {@link Http2ServerConnection} accepts streams, {@link Http2ClientConnection} opens them.
 *
 * Two choices set it apart from Node's `http2` module, and both are why it exists (BENCHMARKS.md):
 * - It never stops reading its socket. Node's HTTP/2 stops reading while one of its own writes is pending, so
 *   two Node peers with wide windows deadlock on a stream busy both ways. Here received bytes are bounded by
 *   the windows this side grants, and it grants them only as its calls consume what they received.
 * - Frames produced while handling what one read brought (a unary call's response headers, message and
 *   trailers; window updates) leave in one socket write.
 */
import type { Socket } from "node:net";
import type { Frame } from "./frames.js";
import {
  CLIENT_PREFACE,
  DEFAULT_MAX_FRAME_SIZE,
  DEFAULT_WINDOW,
  ErrorCode,
  FRAME_HEADER_LENGTH,
  Flag,
  FrameReader,
  FrameSizeError,
  FrameType,
  MAX_WINDOW,
  Setting,
  encodeFrame,
  encodeGoaway,
  encodeRstStream,
  encodeSettings,
  encodeWindowUpdate,
  writeFrameHeader,
} from "./frames.js";
import { HeaderListTooLargeError, HpackDecoder, HpackEncoder, HpackError } from "./hpack/index.js";

/** Receive windows and limits of a connection. */
export interface ConnectionLimits {
  /** Receive window of each stream (SETTINGS_INITIAL_WINDOW_SIZE). */
  readonly streamWindow: number;
  /** Receive window of the whole connection. */
  readonly connectionWindow: number;
  /** Largest header block accepted (SETTINGS_MAX_HEADER_LIST_SIZE). */
  readonly maxHeaderListSize: number;
  /** Streams open at once (SETTINGS_MAX_CONCURRENT_STREAMS). */
  readonly maxConcurrentStreams: number;
}

/** Bytes queued in the socket beyond which DATA waits for it to drain (control frames never wait). */
const SOCKET_HIGH_WATER = 512 * 1024;

/** Most DATA one stream sends in one flush before the next stream gets its turn. */
const FLUSH_SHARE = 512 * 1024;

/** A connection error: GOAWAY with `code`, then close. */
class ConnectionError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

type Outbound =
  | { readonly kind: "headers"; readonly block: Buffer; readonly endStream: boolean }
  | { kind: "data"; chunks: Buffer[]; length: number; readonly callback: (() => void) | undefined; readonly endStream: boolean };

/** What a stream tells its owner (the gRPC call); set when the stream opens. */
export interface StreamHandler {
  /** A header block from the server: response headers, then trailers (`endStream`). Client streams only. */
  headers?(fields: Array<[string, string]>, endStream: boolean): void;
  /** A DATA payload; give its bytes back with {@link Http2Stream.release} once consumed. */
  data(chunk: Buffer): void;
  /** The peer half-closed the stream. */
  end(): void;
  /** The peer reset the stream, or the connection went away before the stream finished. */
  reset(code: number): void;
}

/** One stream: a request and its response. */
export class Http2Stream {
  readonly id: number;
  readonly connection: Http2Connection;
  handler: StreamHandler | undefined;
  /** Flow-control window for what this side sends. */
  sendWindow: number;
  /** Bytes consumed and not yet given back with a WINDOW_UPDATE. */
  credit = 0;
  readonly queue: Outbound[] = [];
  remoteClosed = false;
  localClosed = false;
  closed = false;
  /** Bytes of DATA queued and not yet handed to the socket. */
  queuedBytes = 0;
  /** Bytes received and not yet released. */
  received = 0;
  /** Once the response has ended, reset a request still streaming in (RST_STREAM NO_ERROR). */
  resetWhenSent = false;

  constructor(id: number, connection: Http2Connection, sendWindow: number) {
    this.id = id;
    this.connection = connection;
    this.sendWindow = sendWindow;
  }

  /** Queues headers (response or trailing headers on a server). */
  sendHeaders(fields: Iterable<readonly [string, string]>, endStream: boolean): void {
    this.sendHeaderBlock(this.connection.encoder.encode(fields), endStream);
  }

  /** Queues an already encoded header block (see {@link Http2Connection.encoder}). */
  sendHeaderBlock(block: Buffer, endStream: boolean): void {
    if (this.localClosed || this.closed) return;
    if (endStream) this.localClosed = true;
    this.queue.push({ kind: "headers", block, endStream });
    this.connection.schedule(this);
  }

  /** Server: answers with `fields` alone, ending the stream, and discards whatever of the request is still arriving. */
  refuse(fields: Iterable<readonly [string, string]>): void {
    this.handler = { data: (chunk) => this.release(chunk.length), end: () => {}, reset: () => {} };
    this.resetWhenSent = true;
    this.sendHeaders(fields, true);
  }

  /**
   * Queues DATA carrying `chunks` (`length` bytes); `callback` runs once the last byte was handed to the
   * socket (or the stream closed first). `endStream` half-closes the stream after them.
   */
  sendData(chunks: Buffer[], length: number, callback?: () => void, endStream = false): void {
    if (this.localClosed || this.closed) {
      if (callback) queueMicrotask(callback);
      return;
    }
    if (endStream) this.localClosed = true;
    this.queuedBytes += length;
    this.queue.push({ kind: "data", chunks, length, callback, endStream });
    this.connection.schedule(this);
  }

  /** Half-closes the stream (an empty DATA frame with END_STREAM, after whatever is queued). */
  end(): void {
    this.sendData([], 0, undefined, true);
  }

  /** Gives `bytes` of received DATA back to the peer's windows. */
  release(bytes: number): void {
    this.connection.release(this, bytes);
  }

  /** Resets the stream (RST_STREAM `code`) and forgets it. */
  reset(code: number = ErrorCode.CANCEL): void {
    this.connection.resetStream(this, code, false);
  }
}

/** Receives a new stream with its request headers; must set `stream.handler`. */
export type StreamListener = (stream: Http2Stream, headers: Array<[string, string]>) => void;

/** What both sides of an HTTP/2 connection share; a subclass accepts or opens the streams. */
export abstract class Http2Connection {
  readonly socket: Socket;
  readonly encoder = new HpackEncoder();
  readonly #decoder: HpackDecoder;
  protected readonly limits: ConnectionLimits;
  readonly #reader: FrameReader;
  protected readonly streams = new Map<number, Http2Stream>();
  readonly #pending = new Set<Http2Stream>();
  #out: Buffer[] = [];
  #outBytes = 0;
  #callbacks: Array<() => void> = [];
  #prefaceSeen: boolean;
  #settingsSeen = false;
  /** Highest stream id the peer opened (a client's streams, on a server). */
  protected lastPeerStreamId = 0;
  #continuation: { streamId: number; endStream: boolean; parts: Buffer[]; length: number } | undefined;
  protected peerInitialWindow = DEFAULT_WINDOW;
  protected peerMaxConcurrentStreams = Number.POSITIVE_INFINITY;
  #peerMaxFrameSize = DEFAULT_MAX_FRAME_SIZE;
  #tableSizeUpdate = false;
  #sendWindow = DEFAULT_WINDOW;
  #connectionCredit = 0;
  #flushScheduled = false;
  #inRead = false;
  protected goingAway = false;
  #closed = false;
  #destroying = false;
  #onClose: Array<() => void> = [];
  readonly #pings = new Map<bigint, () => void>();
  #nextPing = 1n;

  /** `side` "client" sends the connection preface; "server" expects it. */
  constructor(socket: Socket, limits: ConnectionLimits, side: "client" | "server") {
    this.socket = socket;
    this.limits = limits;
    this.#prefaceSeen = side === "client";
    this.#decoder = new HpackDecoder(4096, limits.maxHeaderListSize);
    this.#reader = new FrameReader(DEFAULT_MAX_FRAME_SIZE);
    socket.setNoDelay?.(true);
    socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    // A socket handed over paused (after a proxy's CONNECT answer) flows from here.
    socket.resume();
    socket.on("drain", () => this.schedule());
    socket.on("error", () => this.#teardown());
    socket.on("close", () => this.#teardown());
    const settings = new Map<number, number>([
      [Setting.MAX_CONCURRENT_STREAMS, limits.maxConcurrentStreams],
      [Setting.INITIAL_WINDOW_SIZE, limits.streamWindow],
      [Setting.MAX_HEADER_LIST_SIZE, limits.maxHeaderListSize],
      [Setting.ENABLE_PUSH, 0],
    ]);
    if (side === "client") this.#out.push(CLIENT_PREFACE);
    this.#out.push(encodeSettings(settings));
    if (limits.connectionWindow > DEFAULT_WINDOW) this.#out.push(encodeWindowUpdate(0, limits.connectionWindow - DEFAULT_WINDOW));
    this.#flush();
  }

  /** Streams currently open. */
  get openStreams(): number {
    return this.streams.size;
  }

  /** Whether the connection is gone or going (closed, failed, destroyed, or its socket ended). */
  get closed(): boolean {
    return this.#closed || this.#destroying;
  }

  /** Runs `listener` once the connection is gone. */
  onClose(listener: () => void): void {
    if (this.#closed) queueMicrotask(listener);
    else this.#onClose.push(listener);
  }

  /** Refuses new streams (GOAWAY NO_ERROR); streams already open go on. */
  goAway(): void {
    if (this.goingAway || this.#closed) return;
    this.goingAway = true;
    this.#out.push(encodeGoaway(this.lastPeerStreamId, ErrorCode.NO_ERROR));
    this.schedule();
  }

  /** Resets every stream and closes the socket; the streams' handlers already see {@link closed}. */
  destroy(): void {
    if (this.#closed || this.#destroying) return;
    this.#destroying = true;
    for (const stream of [...this.streams.values()]) this.resetStream(stream, ErrorCode.CANCEL, true);
    if (!this.goingAway) this.#out.push(encodeGoaway(this.lastPeerStreamId, ErrorCode.NO_ERROR));
    this.goingAway = true;
    this.#flush();
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
    this.#teardown(false);
  }

  /** Sends a PING; resolves when the peer acknowledges it, rejects if the connection goes first. */
  ping(): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("the connection is closed"));
    const id = this.#nextPing++;
    const payload = Buffer.allocUnsafe(8);
    payload.writeBigUInt64BE(id);
    return new Promise<void>((resolve, reject) => {
      this.#pings.set(id, resolve);
      this.onClose(() => {
        if (this.#pings.delete(id)) reject(new Error("the connection closed before the PING was acknowledged"));
      });
      this.queueFrame(encodeFrame(FrameType.PING, 0, 0, payload));
    });
  }

  #teardown(destroySocket = true): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const stream of [...this.streams.values()]) {
      stream.closed = true;
      this.streams.delete(stream.id);
      stream.handler?.reset(ErrorCode.CANCEL);
    }
    this.#pending.clear();
    const callbacks = this.#callbacks;
    this.#callbacks = [];
    for (const callback of callbacks) callback();
    for (const listener of this.#onClose.splice(0)) listener();
    if (destroySocket && !this.socket.destroyed) this.socket.destroy();
  }

  #onData(chunk: Buffer): void {
    if (this.#closed) return;
    this.#reader.push(chunk);
    this.#inRead = true;
    try {
      if (!this.#prefaceSeen) {
        const preface = this.#reader.take(CLIENT_PREFACE.length);
        if (!preface) return;
        if (!preface.equals(CLIENT_PREFACE)) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "not an HTTP/2 connection preface");
        this.#prefaceSeen = true;
      }
      for (let frame = this.#reader.next(); frame; frame = this.#reader.next()) {
        this.#onFrame(frame);
        if (this.#closed) return;
      }
    } catch (error) {
      this.#fail(error);
      return;
    } finally {
      this.#inRead = false;
    }
    this.#flush();
  }

  #fail(error: unknown): void {
    const code =
      error instanceof ConnectionError
        ? error.code
        : error instanceof FrameSizeError
          ? ErrorCode.FRAME_SIZE_ERROR
          : error instanceof HpackError
            ? ErrorCode.COMPRESSION_ERROR
            : ErrorCode.INTERNAL_ERROR;
    const message = error instanceof Error ? error.message : String(error);
    this.onConnectionError?.(code, message);
    this.#out.push(encodeGoaway(this.lastPeerStreamId, code, message));
    this.goingAway = true;
    this.#flush();
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
    this.#teardown(false);
  }

  /** Told why this side ended the connection with an error (GOAWAY `code`); for logs and call statuses. */
  onConnectionError: ((code: number, message: string) => void) | undefined;

  #onFrame(frame: Frame): void {
    if (!this.#settingsSeen && frame.type !== FrameType.SETTINGS) {
      throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "the first frame must be SETTINGS");
    }
    if (this.#continuation && frame.type !== FrameType.CONTINUATION) {
      throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "expected CONTINUATION");
    }
    switch (frame.type) {
      case FrameType.DATA:
        return this.#onDataFrame(frame);
      case FrameType.HEADERS:
        return this.#onHeaders(frame);
      case FrameType.CONTINUATION:
        return this.#onContinuation(frame);
      case FrameType.SETTINGS:
        return this.#onSettings(frame);
      case FrameType.WINDOW_UPDATE:
        return this.#onWindowUpdate(frame);
      case FrameType.PING:
        if (frame.streamId !== 0 || frame.payload.length !== 8) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "bad PING");
        if ((frame.flags & Flag.ACK) === 0) this.#out.push(encodeFrame(FrameType.PING, Flag.ACK, 0, frame.payload));
        else this.#onPingAck(frame.payload.readBigUInt64BE(0));
        return;
      case FrameType.RST_STREAM: {
        if (frame.streamId === 0 || frame.payload.length !== 4) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "bad RST_STREAM");
        if (this.isIdle(frame.streamId)) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "RST_STREAM on an idle stream");
        const stream = this.streams.get(frame.streamId);
        if (stream) this.resetStream(stream, frame.payload.readUInt32BE(0), true, true);
        return;
      }
      case FrameType.GOAWAY:
        if (frame.streamId !== 0 || frame.payload.length < 8) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "bad GOAWAY");
        this.goingAway = true;
        this.onGoaway(frame.payload.readUInt32BE(0) & 0x7fff_ffff, frame.payload.readUInt32BE(4), frame.payload.subarray(8).toString("utf8"));
        return;
      case FrameType.PRIORITY:
        if (frame.streamId === 0 || frame.payload.length !== 5) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "bad PRIORITY");
        return;
      case FrameType.PUSH_PROMISE:
        throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "PUSH_PROMISE is not accepted");
      default:
        return;
    }
  }

  #onPingAck(id: bigint): void {
    const resolve = this.#pings.get(id);
    if (!resolve) return;
    this.#pings.delete(id);
    resolve();
  }

  /** Whether stream `id` was never opened (frames other than HEADERS on it are a connection error). */
  protected abstract isIdle(id: number): boolean;

  /** The peer sent GOAWAY: streams above `lastStreamId` (ours) were not and will not be processed. */
  protected abstract onGoaway(lastStreamId: number, code: number, debug: string): void;

  /**
   * A complete header block for stream `id`; `headers` is `undefined` when it exceeded
   * SETTINGS_MAX_HEADER_LIST_SIZE (it was still decoded, to keep the HPACK table in step).
   */
  protected abstract onHeaderBlock(id: number, headers: Array<[string, string]> | undefined, endStream: boolean): void;

  #onSettings(frame: Frame): void {
    if (frame.streamId !== 0) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "SETTINGS on a stream");
    if (frame.flags & Flag.ACK) {
      if (frame.payload.length !== 0) throw new ConnectionError(ErrorCode.FRAME_SIZE_ERROR, "SETTINGS ACK with a payload");
      return;
    }
    if (frame.payload.length % 6 !== 0) throw new ConnectionError(ErrorCode.FRAME_SIZE_ERROR, "SETTINGS length not a multiple of 6");
    this.#settingsSeen = true;
    for (let offset = 0; offset < frame.payload.length; offset += 6) {
      const id = frame.payload.readUInt16BE(offset);
      const value = frame.payload.readUInt32BE(offset + 2);
      if (id === Setting.INITIAL_WINDOW_SIZE) {
        if (value > MAX_WINDOW) throw new ConnectionError(ErrorCode.FLOW_CONTROL_ERROR, "SETTINGS_INITIAL_WINDOW_SIZE too large");
        const delta = value - this.peerInitialWindow;
        this.peerInitialWindow = value;
        for (const stream of this.streams.values()) {
          stream.sendWindow += delta;
          if (delta > 0 && stream.queue.length > 0) this.#pending.add(stream);
        }
      } else if (id === Setting.MAX_FRAME_SIZE) {
        if (value < DEFAULT_MAX_FRAME_SIZE || value > 0xff_ffff) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "bad SETTINGS_MAX_FRAME_SIZE");
        this.#peerMaxFrameSize = value;
      } else if (id === Setting.MAX_CONCURRENT_STREAMS) {
        this.peerMaxConcurrentStreams = value;
      } else if (id === Setting.HEADER_TABLE_SIZE) {
        // Our encoder never indexes, but a decoder whose table shrank expects a size update to be signalled.
        this.#tableSizeUpdate = true;
      } else if (id === Setting.ENABLE_PUSH && value > 1) {
        throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "bad SETTINGS_ENABLE_PUSH");
      }
    }
    this.#out.push(encodeFrame(FrameType.SETTINGS, Flag.ACK, 0));
  }

  #onWindowUpdate(frame: Frame): void {
    if (frame.payload.length !== 4) throw new ConnectionError(ErrorCode.FRAME_SIZE_ERROR, "bad WINDOW_UPDATE");
    const increment = frame.payload.readUInt32BE(0) & 0x7fff_ffff;
    if (frame.streamId === 0) {
      if (increment === 0) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "WINDOW_UPDATE of 0");
      this.#sendWindow += increment;
      if (this.#sendWindow > MAX_WINDOW) throw new ConnectionError(ErrorCode.FLOW_CONTROL_ERROR, "connection window overflow");
      for (const stream of this.streams.values()) if (stream.queue.length > 0) this.#pending.add(stream);
      return;
    }
    const stream = this.streams.get(frame.streamId);
    if (!stream) return;
    if (increment === 0) return this.resetStream(stream, ErrorCode.PROTOCOL_ERROR, true);
    stream.sendWindow += increment;
    if (stream.sendWindow > MAX_WINDOW) return this.resetStream(stream, ErrorCode.FLOW_CONTROL_ERROR, true);
    if (stream.queue.length > 0) this.#pending.add(stream);
  }

  #onHeaders(frame: Frame): void {
    const id = frame.streamId;
    if (id === 0) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "HEADERS on stream 0");
    let payload = frame.payload;
    if (frame.flags & Flag.PADDED) payload = unpad(payload);
    if (frame.flags & Flag.PRIORITY) {
      if (payload.length < 5) throw new ConnectionError(ErrorCode.FRAME_SIZE_ERROR, "HEADERS too short for its priority");
      payload = payload.subarray(5);
    }
    const endStream = (frame.flags & Flag.END_STREAM) !== 0;
    if ((frame.flags & Flag.END_HEADERS) === 0) {
      this.#continuation = { streamId: id, endStream, parts: [payload], length: payload.length };
      return;
    }
    this.#onHeaderBlock(id, payload, endStream);
  }

  #onContinuation(frame: Frame): void {
    const pending = this.#continuation;
    if (!pending || pending.streamId !== frame.streamId) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "unexpected CONTINUATION");
    pending.parts.push(frame.payload);
    pending.length += frame.payload.length;
    if (pending.length > this.limits.maxHeaderListSize * 2) throw new ConnectionError(ErrorCode.ENHANCE_YOUR_CALM, "header block too large");
    if ((frame.flags & Flag.END_HEADERS) === 0) return;
    this.#continuation = undefined;
    this.#onHeaderBlock(pending.streamId, Buffer.concat(pending.parts, pending.length), pending.endStream);
  }

  #onHeaderBlock(id: number, block: Buffer, endStream: boolean): void {
    // Decoding always runs, even for a stream about to be refused: the decoder's table must stay in step.
    let headers: Array<[string, string]> | undefined;
    try {
      headers = this.#decoder.decode(block);
    } catch (error) {
      if (!(error instanceof HeaderListTooLargeError)) throw error;
      headers = undefined;
    }
    this.onHeaderBlock(id, headers, endStream);
  }

  /** The peer half-closed `stream`. */
  protected onRemoteEnd(stream: Http2Stream): void {
    if (stream.remoteClosed) return;
    stream.remoteClosed = true;
    this.guard(stream, () => stream.handler?.end());
    this.#maybeForget(stream);
  }

  #onDataFrame(frame: Frame): void {
    const id = frame.streamId;
    if (id === 0) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "DATA on stream 0");
    const length = frame.payload.length;
    const stream = this.streams.get(id);
    if (!stream || stream.remoteClosed) {
      // Still counts against the connection window: give it back at once.
      this.#connectionCredit += length;
      if (this.isIdle(id)) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "DATA on an idle stream");
      this.#out.push(encodeRstStream(id, ErrorCode.STREAM_CLOSED));
      return;
    }
    stream.received += length;
    if (stream.received > this.limits.streamWindow * 2 + DEFAULT_WINDOW) {
      this.#connectionCredit += length;
      return this.resetStream(stream, ErrorCode.FLOW_CONTROL_ERROR, true);
    }
    let payload = frame.payload;
    if (frame.flags & Flag.PADDED) {
      payload = unpad(payload);
      this.release(stream, length - payload.length);
    }
    if (payload.length > 0) this.guard(stream, () => stream.handler?.data(payload));
    if (frame.flags & Flag.END_STREAM) this.onRemoteEnd(stream);
  }

  /**
   * Runs a stream's handler: a failure in one call resets that stream (INTERNAL_ERROR) and tells its handler,
   * instead of ending the connection and every other call on it.
   */
  protected guard(stream: Http2Stream, run: () => void): void {
    try {
      run();
    } catch (error) {
      this.onStreamError?.(error);
      this.resetStream(stream, ErrorCode.INTERNAL_ERROR, false);
      try {
        stream.handler?.reset(ErrorCode.INTERNAL_ERROR);
      } catch {
        // Already failing: nothing more to tell it.
      }
    }
  }

  /** Told about an exception thrown by a stream's handler (the stream was reset); for logs. */
  onStreamError: ((error: unknown) => void) | undefined;

  /** Queues a control frame (it never waits for flow control) and arranges a flush. */
  protected queueFrame(frame: Buffer): void {
    this.#out.push(frame);
    this.schedule();
  }

  /** Gives `bytes` back to the peer's stream and connection windows, in WINDOW_UPDATEs of useful size. */
  release(stream: Http2Stream, bytes: number): void {
    if (bytes <= 0) return;
    stream.received -= bytes;
    this.#connectionCredit += bytes;
    if (!stream.remoteClosed && !stream.closed) {
      stream.credit += bytes;
      if (stream.credit >= this.limits.streamWindow / 4) return this.schedule(stream);
    }
    if (this.#connectionCredit >= this.limits.connectionWindow / 4) this.schedule();
  }

  /** Sends RST_STREAM `code` (unless `quiet`) and forgets the stream, telling its handler when `notify`. */
  resetStream(stream: Http2Stream, code: number, notify: boolean, quiet = false): void {
    if (stream.closed) return;
    stream.closed = true;
    this.streams.delete(stream.id);
    this.#pending.delete(stream);
    for (const item of stream.queue) if (item.kind === "data" && item.callback) this.#callbacks.push(item.callback);
    stream.queue.length = 0;
    stream.queuedBytes = 0;
    if (!quiet && !this.#closed) {
      this.#out.push(encodeRstStream(stream.id, code));
      this.schedule();
    }
    if (notify) stream.handler?.reset(code);
  }

  #maybeForget(stream: Http2Stream): void {
    if (stream.closed || !stream.localClosed || stream.queue.length > 0) return;
    if (stream.remoteClosed) {
      stream.closed = true;
      this.streams.delete(stream.id);
      this.onStreamClosed(stream);
    } else if (stream.resetWhenSent) {
      this.resetStream(stream, ErrorCode.NO_ERROR, false);
    }
  }

  /** A stream ended normally, both ways. */
  protected onStreamClosed(_stream: Http2Stream): void {}

  /** Arranges a flush of queued frames (for `stream`, when given) at the end of this turn of the event loop. */
  schedule(stream?: Http2Stream): void {
    if (stream) this.#pending.add(stream);
    if (this.#inRead || this.#flushScheduled || this.#closed) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      this.#flush();
    });
  }

  #flush(): void {
    if (this.#closed) return;
    const out = this.#out;
    if (this.#connectionCredit >= this.limits.connectionWindow / 4) {
      out.push(encodeWindowUpdate(0, this.#connectionCredit));
      this.#connectionCredit = 0;
    }
    let dataAllowed = this.socket.writableLength < SOCKET_HIGH_WATER;
    for (const stream of this.#pending) {
      if (stream.credit >= this.limits.streamWindow / 4 && !stream.remoteClosed) {
        out.push(encodeWindowUpdate(stream.id, stream.credit));
        stream.credit = 0;
      }
      let share = FLUSH_SHARE;
      while (stream.queue.length > 0) {
        const item = stream.queue[0]!;
        if (item.kind === "headers") {
          this.#pushHeaders(stream.id, item.block, item.endStream);
          stream.queue.shift();
          continue;
        }
        if (!dataAllowed) break;
        const sent = this.#pushData(stream, item, share);
        share -= sent;
        if (item.length > 0) break;
        if (item.endStream) this.#pushFrame(encodeFrame(FrameType.DATA, Flag.END_STREAM, stream.id));
        stream.queue.shift();
        if (item.callback) this.#callbacks.push(item.callback);
        if (share <= 0) break;
      }
      if (stream.queue.length === 0 || (stream.queue[0]!.kind === "data" && stream.queue[0]!.length > 0 && (stream.sendWindow <= 0 || this.#sendWindow <= 0))) {
        this.#pending.delete(stream);
      }
      this.#maybeForget(stream);
      if (this.socket.writableLength + this.#outBytes >= SOCKET_HIGH_WATER) dataAllowed = false;
    }
    if (out.length === 0) {
      this.#runCallbacks();
      return;
    }
    this.#out = [];
    this.#outBytes = 0;
    const callbacks = this.#callbacks;
    this.#callbacks = [];
    // A write is done once the socket has taken it: meanwhile a busy stream's next writes gather into one.
    const done =
      callbacks.length === 0
        ? undefined
        : () => {
            for (const callback of callbacks) callback();
          };
    const last = out.length - 1;
    if (last > 0) this.socket.cork();
    for (let i = 0; i < last; i++) this.socket.write(out[i]!);
    this.socket.write(out[last]!, done);
    if (last > 0) this.socket.uncork();
    // Streams left pending have more to send now; with the socket full, its 'drain' reschedules instead.
    if (this.#pending.size > 0 && dataAllowed) this.schedule();
  }

  #runCallbacks(): void {
    if (this.#callbacks.length === 0) return;
    const callbacks = this.#callbacks;
    this.#callbacks = [];
    for (const callback of callbacks) callback();
  }

  #pushFrame(frame: Buffer): void {
    this.#out.push(frame);
    this.#outBytes += frame.length;
  }

  #pushHeaders(streamId: number, block: Buffer, endStream: boolean): void {
    if (this.#tableSizeUpdate) {
      this.#tableSizeUpdate = false;
      block = Buffer.concat([TABLE_SIZE_ZERO, block]);
    }
    const max = this.#peerMaxFrameSize;
    const flags = endStream ? Flag.END_STREAM : 0;
    if (block.length <= max) {
      const frame = Buffer.allocUnsafe(FRAME_HEADER_LENGTH + block.length);
      writeFrameHeader(frame, 0, block.length, FrameType.HEADERS, flags | Flag.END_HEADERS, streamId);
      block.copy(frame, FRAME_HEADER_LENGTH);
      this.#out.push(frame);
      this.#outBytes += frame.length;
      return;
    }
    for (let offset = 0; offset < block.length; offset += max) {
      const part = block.subarray(offset, offset + max);
      const last = offset + max >= block.length;
      const type = offset === 0 ? FrameType.HEADERS : FrameType.CONTINUATION;
      this.#out.push(encodeFrame(type, (offset === 0 ? flags : 0) | (last ? Flag.END_HEADERS : 0), streamId, part));
    }
  }

  /** Emits DATA frames for as much of `item` as the windows allow, up to `share`; returns the bytes sent. */
  #pushData(stream: Http2Stream, item: Extract<Outbound, { kind: "data" }>, share: number): number {
    let sent = 0;
    while (item.length > 0) {
      const size = Math.min(item.length, stream.sendWindow, this.#sendWindow, this.#peerMaxFrameSize, share - sent);
      if (size <= 0) break;
      const header = Buffer.allocUnsafe(FRAME_HEADER_LENGTH);
      writeFrameHeader(header, 0, size, FrameType.DATA, 0, stream.id);
      this.#out.push(header);
      let left = size;
      while (left > 0) {
        const chunk = item.chunks[0]!;
        if (chunk.length <= left) {
          this.#out.push(chunk);
          item.chunks.shift();
          left -= chunk.length;
        } else {
          this.#out.push(chunk.subarray(0, left));
          item.chunks[0] = chunk.subarray(left);
          left = 0;
        }
      }
      item.length -= size;
      stream.queuedBytes -= size;
      this.#outBytes += FRAME_HEADER_LENGTH + size;
      stream.sendWindow -= size;
      this.#sendWindow -= size;
      sent += size;
    }
    return sent;
  }
}

/** The server side of one HTTP/2 connection over `socket`: the client opens streams, `onStream` serves them. */
export class Http2ServerConnection extends Http2Connection {
  readonly #onStream: StreamListener;

  constructor(socket: Socket, limits: ConnectionLimits, onStream: StreamListener) {
    super(socket, limits, "server");
    this.#onStream = onStream;
  }

  protected override isIdle(id: number): boolean {
    return id > this.lastPeerStreamId;
  }

  protected override onGoaway(): void {
    // A client going away opens no more streams; the ones open finish.
  }

  protected override onHeaderBlock(id: number, headers: Array<[string, string]> | undefined, endStream: boolean): void {
    const existing = this.streams.get(id);
    if (existing) {
      // Trailers from the client: gRPC has none, so they only end the request.
      if (!endStream) return this.resetStream(existing, ErrorCode.PROTOCOL_ERROR, true);
      this.onRemoteEnd(existing);
      return;
    }
    if (id % 2 === 0 || id <= this.lastPeerStreamId) {
      if (id <= this.lastPeerStreamId) {
        this.queueFrame(encodeRstStream(id, ErrorCode.STREAM_CLOSED));
        return;
      }
      throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, `client stream ${id} has an even number`);
    }
    this.lastPeerStreamId = id;
    if (this.goingAway || this.streams.size >= this.limits.maxConcurrentStreams) {
      this.queueFrame(encodeRstStream(id, ErrorCode.REFUSED_STREAM));
      return;
    }
    const stream = new Http2Stream(id, this, this.peerInitialWindow);
    this.streams.set(id, stream);
    if (!headers) {
      // 431 Request Header Fields Too Large; the connection and its other streams go on.
      stream.refuse([[":status", "431"]]);
    } else {
      this.guard(stream, () => this.#onStream(stream, headers));
    }
    if (endStream && !stream.closed) this.onRemoteEnd(stream);
  }
}

/** Largest stream id (2^31 - 1). */
const MAX_STREAM_ID = 0x7fff_ffff;

/** The client side of one HTTP/2 connection over `socket`: opens streams with {@link Http2ClientConnection.request}. */
export class Http2ClientConnection extends Http2Connection {
  #nextStreamId = 1;
  #goawayReason: string | undefined;

  constructor(socket: Socket, limits: ConnectionLimits) {
    super(socket, limits, "client");
  }

  /** Whether a new stream can be opened here (not closed, not told to go away, stream ids left). */
  get available(): boolean {
    return !this.closed && !this.goingAway && this.#nextStreamId <= MAX_STREAM_ID;
  }

  /** Why the connection went away: the server's GOAWAY (its debug text, or the error code), or {@link drop}'s reason. */
  get goawayReason(): string | undefined {
    return this.#goawayReason;
  }

  /** Closes the connection because of `reason` (e.g. an unanswered PING); its streams see it as dropped. */
  drop(reason: string): void {
    this.#goawayReason ??= reason;
    this.destroy();
  }

  /**
   * Opens a stream with request headers `fields`; `handler` receives the response. Throws when the
   * connection cannot take a new stream (see {@link available}); the peer's concurrency limit is its to enforce
   * (it refuses the stream with REFUSED_STREAM).
   */
  request(fields: Iterable<readonly [string, string]>, handler: StreamHandler, endStream = false): Http2Stream {
    if (!this.available) throw new Error(this.closed ? "the connection is closed" : "the connection is going away");
    const id = this.#nextStreamId;
    this.#nextStreamId += 2;
    const stream = new Http2Stream(id, this, this.peerInitialWindow);
    stream.handler = handler;
    this.streams.set(id, stream);
    stream.sendHeaders(fields, endStream);
    return stream;
  }

  protected override isIdle(id: number): boolean {
    return id % 2 === 0 || id >= this.#nextStreamId;
  }

  protected override onGoaway(lastStreamId: number, code: number, debug: string): void {
    this.#goawayReason = debug || (code === ErrorCode.NO_ERROR ? "the server is shutting down" : `HTTP/2 error code ${code}`);
    for (const stream of [...this.streams.values()]) {
      if (stream.id > lastStreamId) this.resetStream(stream, ErrorCode.REFUSED_STREAM, true, true);
    }
  }

  protected override onHeaderBlock(id: number, headers: Array<[string, string]> | undefined, endStream: boolean): void {
    const stream = this.streams.get(id);
    if (!stream) {
      if (this.isIdle(id)) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, `HEADERS on stream ${id}, which this client never opened`);
      return;
    }
    if (!headers) return this.resetStream(stream, ErrorCode.PROTOCOL_ERROR, true);
    this.guard(stream, () => stream.handler?.headers?.(headers, endStream));
    if (endStream && !stream.closed) this.onRemoteEnd(stream);
  }
}

/** An HPACK dynamic table size update to 0 (RFC 7541 §6.3). */
const TABLE_SIZE_ZERO = Buffer.from([0x20]);

function unpad(payload: Buffer): Buffer {
  if (payload.length < 1) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "padded frame without a pad length");
  const pad = payload[0]!;
  if (pad >= payload.length) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "padding longer than the frame");
  return payload.subarray(1, payload.length - pad);
}
