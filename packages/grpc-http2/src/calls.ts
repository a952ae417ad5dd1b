/**
 * @module
 * gRPC calls on HTTP/2 streams, shaped like grpc-js's server calls (`request`, `metadata`, `sendMetadata`, the
 * `cancelled` event, `emit("error", status)` to fail) so handlers written for grpc-js run unchanged.
 */
import { EventEmitter } from "node:events";
import { Duplex, Writable } from "node:stream";
import { Metadata, status as Status } from "@grpc/grpc-js";
import type { Http2Stream, StreamHandler } from "./connection.js";
import type { ReceivedMessage } from "./messages.js";
import { MessageReader, MessageTooLargeError, decompress, encodeGrpcMessage, frameMessage, joined } from "./messages.js";
import { metadataFields } from "./metadata.js";

/** A status to end a call with: grpc-js's `ServiceError` and `StatusObject` both fit. */
export interface CallStatus {
  readonly code?: number;
  readonly details?: string;
  readonly message?: string;
  readonly metadata?: Metadata;
}

/** How a call turns messages into bytes and back. */
export interface CallCodec {
  readonly deserialize: (bytes: Buffer) => unknown;
  /** Decodes a request message that arrived in several pieces, without joining them. */
  readonly deserializeParts?: ((parts: readonly Buffer[]) => unknown) | undefined;
  readonly serialize: (message: unknown) => Buffer | Uint8Array;
  /** Encodes a response as pieces sent one after another without joining them; preferred when present. */
  readonly serializeParts?: ((message: unknown) => readonly Uint8Array[]) | undefined;
}

/** Per-call settings derived from the request headers. */
export interface CallOptions {
  readonly path: string;
  readonly metadata: Metadata;
  readonly encoding: string | undefined;
  readonly deadline: number | undefined;
  readonly maxReceiveMessageLength: number;
  readonly peer: string;
}

const responseHeaderFields: ReadonlyArray<readonly [string, string]> = [
  [":status", "200"],
  ["content-type", "application/grpc"],
  ["grpc-accept-encoding", "identity,deflate,gzip"],
];

/** Header blocks that do not change, encoded once per connection encoder (it keeps no state). */
const blockCache = new WeakMap<object, { headers: Buffer; ok: Buffer }>();

function cachedBlocks(stream: Http2Stream): { headers: Buffer; ok: Buffer } {
  const encoder = stream.connection.encoder;
  let blocks = blockCache.get(encoder);
  if (!blocks) {
    blocks = { headers: encoder.encode(responseHeaderFields), ok: encoder.encode([["grpc-status", "0"]]) };
    blockCache.set(encoder, blocks);
  }
  return blocks;
}

/**
 * While less than this is queued on a stream, a write is done as soon as it is queued, so a streaming call's
 * messages and its trailers leave together. Beyond it a write is done once the socket has it: the writer's
 * next writes then gather (a byte stream packs them into one bigger message).
 */
const QUEUED_LOW_WATER = 64 * 1024;

/** The state every call kind shares: response headers, messages out, status, cancellation, deadline. */
class CallCore {
  readonly stream: Http2Stream;
  readonly options: CallOptions;
  readonly codec: CallCodec;
  readonly #events: EventEmitter;
  headersSent = false;
  /** Trailing metadata given to `end(metadata)`. */
  trailer: Metadata | undefined;
  done = false;
  cancelled = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(stream: Http2Stream, options: CallOptions, codec: CallCodec, events: EventEmitter) {
    this.stream = stream;
    this.options = options;
    this.codec = codec;
    this.#events = events;
    if (options.deadline !== undefined) {
      this.#timer = setTimeout(() => {
        this.sendStatus({ code: Status.DEADLINE_EXCEEDED, details: "Deadline exceeded" });
        this.cancel();
      }, Math.max(0, options.deadline - Date.now()));
      this.#timer.unref?.();
    }
  }

  sendMetadata(metadata?: Metadata): void {
    if (this.headersSent || this.done) return;
    this.headersSent = true;
    const extra = metadataFields(metadata);
    if (extra.length === 0) this.stream.sendHeaderBlock(cachedBlocks(this.stream).headers, false);
    else this.stream.sendHeaders([...responseHeaderFields, ...extra], false);
  }

  sendMessage(message: unknown, callback?: () => void): boolean {
    if (this.done) {
      if (callback) queueMicrotask(callback);
      return false;
    }
    let parts: readonly Uint8Array[];
    try {
      parts = this.codec.serializeParts ? this.codec.serializeParts(message) : [this.codec.serialize(message)];
    } catch (error) {
      this.sendStatus({ code: Status.INTERNAL, details: `Failed to serialize the response: ${(error as Error).message}` });
      if (callback) queueMicrotask(callback);
      return false;
    }
    this.sendMetadata();
    const { chunks, length, copied } = frameMessage(parts);
    // Pieces sent as views stay the caller's until they left: only a message in buffers of its own is done early.
    if (callback && (copied || !this.codec.serializeParts) && this.stream.queuedBytes + length <= QUEUED_LOW_WATER) {
      queueMicrotask(callback);
      callback = undefined;
    }
    this.stream.sendData(chunks, length, callback);
    return true;
  }

  /** Ends the call with `status` (trailers, or a trailers-only response before any message). */
  sendStatus(status: CallStatus): void {
    if (this.done) return;
    this.done = true;
    this.clearTimer();
    const code = typeof status.code === "number" && Number.isInteger(status.code) && status.code >= 0 && status.code <= 16 ? status.code : Status.UNKNOWN;
    const details = status.details ?? status.message ?? "";
    const extra = metadataFields(status.metadata);
    if (code === Status.OK && details === "" && extra.length === 0 && this.headersSent) {
      this.stream.sendHeaderBlock(cachedBlocks(this.stream).ok, true);
    } else {
      const fields: Array<readonly [string, string]> = this.headersSent ? [] : [...responseHeaderFields];
      fields.push(["grpc-status", String(code)]);
      if (details !== "") fields.push(["grpc-message", encodeGrpcMessage(details)]);
      fields.push(...extra);
      this.headersSent = true;
      this.stream.sendHeaders(fields, true);
    }
    // The response is complete: a request still streaming in is no longer wanted.
    this.stream.resetWhenSent = true;
  }

  /** The caller left (RST_STREAM, connection lost) or the deadline passed: `cancelled`, then destroyed. */
  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.done = true;
    this.clearTimer();
    this.#events.emit("cancelled", "cancelled");
    if (this.#events instanceof Writable || this.#events instanceof Duplex) this.#events.destroy();
  }

  clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Decodes one received message; a failure ends the call and yields `undefined`. */
  decode(message: ReceivedMessage): { value: unknown } | undefined {
    // A message in pieces is decoded from them when the codec can; anything else is joined (and inflated) first.
    const fromParts = !message.compressed && message.parts.length > 1 ? this.codec.deserializeParts : undefined;
    const data = fromParts ? undefined : this.#inflate(message);
    if (!fromParts && data === undefined) return undefined;
    try {
      return { value: fromParts ? fromParts(message.parts) : this.codec.deserialize(data!) };
    } catch (error) {
      this.sendStatus({ code: Status.INTERNAL, details: `Error deserializing request: ${(error as Error).message}` });
      return undefined;
    }
  }

  /** The message's bytes in one buffer, decompressed; a failure ends the call and yields `undefined`. */
  #inflate(message: ReceivedMessage): Buffer | undefined {
    const data = joined(message);
    if (!message.compressed) return data;
    const encoding = this.options.encoding;
    try {
      const inflated = decompress(data, encoding);
      if (inflated) return inflated;
    } catch (error) {
      this.sendStatus({ code: Status.INTERNAL, details: `Failed to decompress the request: ${(error as Error).message}` });
      return undefined;
    }
    const known = encoding === undefined || encoding === "identity";
    this.sendStatus(
      known
        ? { code: Status.INTERNAL, details: "Compressed message without a grpc-encoding" }
        : { code: Status.UNIMPLEMENTED, details: `Received message compressed with unsupported encoding "${encoding}"` },
    );
    return undefined;
  }

  /** Reads messages from `chunk`, answering RESOURCE_EXHAUSTED for one over the limit. */
  read(reader: MessageReader, chunk: Buffer): ReceivedMessage[] | undefined {
    try {
      return reader.push(chunk);
    } catch (error) {
      if (!(error instanceof MessageTooLargeError)) throw error;
      this.sendStatus({ code: Status.RESOURCE_EXHAUSTED, details: error.message });
      return undefined;
    }
  }
}

/** A unary or server-streaming request: one message, then the end of the request. */
class SingleRequest implements StreamHandler {
  readonly #core: CallCore;
  readonly #reader: MessageReader;
  readonly #start: (request: unknown) => void;
  #messages: ReceivedMessage[] = [];

  constructor(core: CallCore, start: (request: unknown) => void) {
    this.#core = core;
    this.#reader = new MessageReader(core.options.maxReceiveMessageLength);
    this.#start = start;
  }

  data(chunk: Buffer): void {
    this.#core.stream.release(chunk.length);
    if (this.#core.done) return;
    const messages = this.#core.read(this.#reader, chunk);
    if (!messages) return;
    // Views of the socket's read buffers stay valid: Node never reuses them.
    for (const message of messages) this.#messages.push(message);
  }

  end(): void {
    const core = this.#core;
    if (core.done) return;
    if (this.#messages.length !== 1 || this.#reader.buffered > 0) {
      core.sendStatus({
        code: Status.INTERNAL,
        details: this.#messages.length === 0 ? "No message received" : "Received more than one message for a unary request",
      });
      return;
    }
    const decoded = core.decode(this.#messages[0]!);
    this.#messages = [];
    if (decoded) this.#start(decoded.value);
  }

  reset(): void {
    this.#core.cancel();
  }
}

/** The call a unary handler receives. */
export class UnaryCall extends EventEmitter {
  readonly metadata: Metadata;
  request: unknown;
  readonly #core: CallCore;

  constructor(stream: Http2Stream, options: CallOptions, codec: CallCodec) {
    super();
    this.metadata = options.metadata;
    this.#core = new CallCore(stream, options, codec, this);
  }

  get cancelled(): boolean {
    return this.#core.cancelled;
  }

  getPeer(): string {
    return this.#core.options.peer;
  }

  getPath(): string {
    return this.#core.options.path;
  }

  getDeadline(): number {
    return this.#core.options.deadline ?? Infinity;
  }

  sendMetadata(metadata: Metadata): void {
    this.#core.sendMetadata(metadata);
  }

  /** Starts the call once its request arrived; `handler` answers through the callback. */
  static serve(
    stream: Http2Stream,
    options: CallOptions,
    codec: CallCodec,
    handler: (call: UnaryCall, callback: (error: CallStatus | null, value?: unknown, trailer?: Metadata) => void) => void,
  ): void {
    const call = new UnaryCall(stream, options, codec);
    const core = call.#core;
    stream.handler = new SingleRequest(core, (request) => {
      call.request = request;
      const callback = (error: CallStatus | null, value?: unknown, trailer?: Metadata) => {
        if (core.done) return;
        if (error) {
          core.sendStatus({
            ...(error.code !== undefined ? { code: error.code } : {}),
            details: error.details ?? error.message ?? "",
            ...((error.metadata ?? trailer) ? { metadata: error.metadata ?? trailer } : {}),
          });
          return;
        }
        if (core.sendMessage(value)) core.sendStatus({ code: Status.OK, ...(trailer ? { metadata: trailer } : {}) });
      };
      try {
        handler(call, callback);
      } catch (error) {
        core.sendStatus({ code: Status.UNKNOWN, details: (error as Error)?.message ?? String(error) });
      }
    });
  }
}

/** Wires the writable half of a call (server-streaming or bidi) to `core`. */
function writableHalf(target: Writable, core: CallCore): void {
  target.on("error", (error: CallStatus) => core.sendStatus(error));
}

/** The call a server-streaming handler receives: write responses, `end()` to finish. */
export class ServerStreamCall extends Writable {
  readonly metadata: Metadata;
  request: unknown;
  readonly #core: CallCore;

  constructor(stream: Http2Stream, options: CallOptions, codec: CallCodec) {
    super({ objectMode: true, highWaterMark: 16 });
    this.metadata = options.metadata;
    this.#core = new CallCore(stream, options, codec, this);
    writableHalf(this, this.#core);
  }

  get cancelled(): boolean {
    return this.#core.cancelled;
  }

  getPeer(): string {
    return this.#core.options.peer;
  }

  getPath(): string {
    return this.#core.options.path;
  }

  getDeadline(): number {
    return this.#core.options.deadline ?? Infinity;
  }

  sendMetadata(metadata?: Metadata): void {
    this.#core.sendMetadata(metadata);
  }

  override _write(message: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#core.sendMessage(message, () => callback());
  }

  /** Ends the call with OK; grpc-js style, `end(metadata)` sends `metadata` as trailers. */
  override end(chunkOrTrailer?: unknown, ...rest: unknown[]): this {
    if (chunkOrTrailer instanceof Metadata) {
      this.#core.trailer = chunkOrTrailer;
      return super.end(...(rest as []));
    }
    return super.end(...([chunkOrTrailer, ...rest] as [unknown]));
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#core.sendStatus({ code: Status.OK, ...(this.#core.trailer ? { metadata: this.#core.trailer } : {}) });
    callback();
  }

  /** Starts the call once its request arrived. */
  static serve(stream: Http2Stream, options: CallOptions, codec: CallCodec, handler: (call: ServerStreamCall) => void): void {
    const call = new ServerStreamCall(stream, options, codec);
    const core = call.#core;
    stream.handler = new SingleRequest(core, (request) => {
      call.request = request;
      try {
        handler(call);
      } catch (error) {
        core.sendStatus({ code: Status.UNKNOWN, details: (error as Error)?.message ?? String(error) });
      }
    });
  }
}

/** The call a bidi-streaming handler receives: a Duplex of messages. */
export class BidiCall extends Duplex {
  readonly metadata: Metadata;
  readonly #core: CallCore;
  readonly #reader: MessageReader;
  /** Received bytes not yet given back to the peer because the reader is behind. */
  #held = 0;
  #paused = false;

  constructor(stream: Http2Stream, options: CallOptions, codec: CallCodec) {
    super({ objectMode: true, readableHighWaterMark: 16, writableHighWaterMark: 16, allowHalfOpen: true });
    this.metadata = options.metadata;
    this.#core = new CallCore(stream, options, codec, this);
    this.#reader = new MessageReader(options.maxReceiveMessageLength);
    writableHalf(this, this.#core);
  }

  get cancelled(): boolean {
    return this.#core.cancelled;
  }

  getPeer(): string {
    return this.#core.options.peer;
  }

  getPath(): string {
    return this.#core.options.path;
  }

  getDeadline(): number {
    return this.#core.options.deadline ?? Infinity;
  }

  sendMetadata(metadata?: Metadata): void {
    this.#core.sendMetadata(metadata);
  }

  #onData(chunk: Buffer): void {
    const core = this.#core;
    if (core.done) {
      core.stream.release(chunk.length);
      return;
    }
    const messages = core.read(this.#reader, chunk);
    if (!messages) {
      core.stream.release(chunk.length);
      return;
    }
    for (const message of messages) {
      const decoded = core.decode(message);
      if (!decoded) break;
      if (!this.push(decoded.value)) this.#paused = true;
    }
    if (this.#paused) this.#held += chunk.length;
    else core.stream.release(chunk.length);
  }

  override _read(): void {
    if (!this.#paused) return;
    this.#paused = false;
    const held = this.#held;
    this.#held = 0;
    this.#core.stream.release(held);
  }

  override _write(message: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#core.sendMessage(message, () => callback());
  }

  /** Ends the call with OK; grpc-js style, `end(metadata)` sends `metadata` as trailers. */
  override end(chunkOrTrailer?: unknown, ...rest: unknown[]): this {
    if (chunkOrTrailer instanceof Metadata) {
      this.#core.trailer = chunkOrTrailer;
      return super.end(...(rest as []));
    }
    return super.end(...([chunkOrTrailer, ...rest] as [unknown]));
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#core.sendStatus({ code: Status.OK, ...(this.#core.trailer ? { metadata: this.#core.trailer } : {}) });
    callback();
  }

  /** Starts the call at once: messages flow as they arrive. */
  static serve(stream: Http2Stream, options: CallOptions, codec: CallCodec, handler: (call: BidiCall) => void): void {
    const call = new BidiCall(stream, options, codec);
    stream.handler = {
      data: (chunk) => call.#onData(chunk),
      end: () => call.push(null),
      reset: () => call.#core.cancel(),
    };
    try {
      handler(call);
    } catch (error) {
      call.#core.sendStatus({ code: Status.UNKNOWN, details: (error as Error)?.message ?? String(error) });
    }
  }
}
