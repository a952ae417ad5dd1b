/**
 * @module
 * HTTP/2 framing (RFC 9113 §4, §6): frame and setting identifiers, frame headers, and a reader that cuts a
 * byte stream into frames without copying a frame that arrived in one piece.
 */

/** Frame types. */
export const FrameType = {
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const;

/** Frame flags (END_STREAM and ACK share a bit). */
export const Flag = {
  END_STREAM: 0x1,
  ACK: 0x1,
  END_HEADERS: 0x4,
  PADDED: 0x8,
  PRIORITY: 0x20,
} as const;

/** Error codes of RST_STREAM and GOAWAY. */
export const ErrorCode = {
  NO_ERROR: 0x0,
  PROTOCOL_ERROR: 0x1,
  INTERNAL_ERROR: 0x2,
  FLOW_CONTROL_ERROR: 0x3,
  STREAM_CLOSED: 0x5,
  FRAME_SIZE_ERROR: 0x6,
  REFUSED_STREAM: 0x7,
  CANCEL: 0x8,
  COMPRESSION_ERROR: 0x9,
  ENHANCE_YOUR_CALM: 0xb,
} as const;

/** SETTINGS identifiers. */
export const Setting = {
  HEADER_TABLE_SIZE: 0x1,
  ENABLE_PUSH: 0x2,
  MAX_CONCURRENT_STREAMS: 0x3,
  INITIAL_WINDOW_SIZE: 0x4,
  MAX_FRAME_SIZE: 0x5,
  MAX_HEADER_LIST_SIZE: 0x6,
} as const;

/** The client connection preface (RFC 9113 §3.4). */
export const CLIENT_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

/** The default and minimum SETTINGS_MAX_FRAME_SIZE. */
export const DEFAULT_MAX_FRAME_SIZE = 16_384;

/** The initial flow-control window of every stream and of the connection. */
export const DEFAULT_WINDOW = 65_535;

/** Largest flow-control window (2^31 - 1). */
export const MAX_WINDOW = 0x7fff_ffff;

/** Length of a frame header. */
export const FRAME_HEADER_LENGTH = 9;

/** A received frame; `payload` may be a view into the socket's read buffer. */
export interface Frame {
  readonly type: number;
  readonly flags: number;
  readonly streamId: number;
  readonly payload: Buffer;
}

/** Writes a frame header at `offset` of `target`. */
export function writeFrameHeader(target: Buffer, offset: number, length: number, type: number, flags: number, streamId: number): void {
  target[offset] = length >>> 16;
  target[offset + 1] = (length >>> 8) & 0xff;
  target[offset + 2] = length & 0xff;
  target[offset + 3] = type;
  target[offset + 4] = flags;
  target.writeUInt32BE(streamId, offset + 5);
}

/** One whole frame with `payload` copied after its header. */
export function encodeFrame(type: number, flags: number, streamId: number, payload: Uint8Array = EMPTY): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_LENGTH + payload.length);
  writeFrameHeader(frame, 0, payload.length, type, flags, streamId);
  frame.set(payload, FRAME_HEADER_LENGTH);
  return frame;
}

const EMPTY = Buffer.alloc(0);

/** A SETTINGS frame carrying `settings` (identifier → value). */
export function encodeSettings(settings: ReadonlyMap<number, number>): Buffer {
  const payload = Buffer.allocUnsafe(settings.size * 6);
  let offset = 0;
  for (const [id, value] of settings) {
    payload.writeUInt16BE(id, offset);
    payload.writeUInt32BE(value, offset + 2);
    offset += 6;
  }
  return encodeFrame(FrameType.SETTINGS, 0, 0, payload);
}

/** A WINDOW_UPDATE frame. */
export function encodeWindowUpdate(streamId: number, increment: number): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_LENGTH + 4);
  writeFrameHeader(frame, 0, 4, FrameType.WINDOW_UPDATE, 0, streamId);
  frame.writeUInt32BE(increment, FRAME_HEADER_LENGTH);
  return frame;
}

/** A RST_STREAM frame. */
export function encodeRstStream(streamId: number, code: number): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_LENGTH + 4);
  writeFrameHeader(frame, 0, 4, FrameType.RST_STREAM, 0, streamId);
  frame.writeUInt32BE(code, FRAME_HEADER_LENGTH);
  return frame;
}

/** A GOAWAY frame. */
export function encodeGoaway(lastStreamId: number, code: number, debug = ""): Buffer {
  const text = Buffer.from(debug, "utf8");
  const frame = Buffer.allocUnsafe(FRAME_HEADER_LENGTH + 8 + text.length);
  writeFrameHeader(frame, 0, 8 + text.length, FrameType.GOAWAY, 0, 0);
  frame.writeUInt32BE(lastStreamId, FRAME_HEADER_LENGTH);
  frame.writeUInt32BE(code, FRAME_HEADER_LENGTH + 4);
  text.copy(frame, FRAME_HEADER_LENGTH + 8);
  return frame;
}

/** Thrown for a frame whose declared length exceeds what was advertised. */
export class FrameSizeError extends Error {}

/**
 * Cuts the bytes read from a connection into frames. A frame that arrived within one read is a view of that
 * read's buffer; only a frame spread over several reads is gathered into a buffer of its own.
 */
export class FrameReader {
  readonly #chunks: Buffer[] = [];
  #offset = 0;
  #available = 0;
  readonly #maxFrameSize: number;

  constructor(maxFrameSize: number) {
    this.#maxFrameSize = maxFrameSize;
  }

  /** Bytes received and not yet returned as frames. */
  get available(): number {
    return this.#available;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#available += chunk.length;
  }

  /** Takes `length` bytes off the front (for the connection preface). */
  take(length: number): Buffer | undefined {
    if (this.#available < length) return undefined;
    return this.#read(length);
  }

  /** The next complete frame, or `undefined` until more bytes arrive; throws {@link FrameSizeError}. */
  next(): Frame | undefined {
    if (this.#available < FRAME_HEADER_LENGTH) return undefined;
    const head = this.#chunks[0]!;
    let header: Buffer;
    if (head.length - this.#offset >= FRAME_HEADER_LENGTH) header = head.subarray(this.#offset, this.#offset + FRAME_HEADER_LENGTH);
    else header = this.#peek(FRAME_HEADER_LENGTH);
    const length = (header[0]! << 16) | (header[1]! << 8) | header[2]!;
    if (length > this.#maxFrameSize) throw new FrameSizeError(`frame of ${length} bytes exceeds the ${this.#maxFrameSize} advertised`);
    if (this.#available < FRAME_HEADER_LENGTH + length) return undefined;
    const type = header[3]!;
    const flags = header[4]!;
    const streamId = header.readUInt32BE(5) & 0x7fff_ffff;
    this.#skip(FRAME_HEADER_LENGTH);
    const payload = length === 0 ? EMPTY : this.#read(length);
    return { type, flags, streamId, payload };
  }

  #peek(length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    let copied = 0;
    let offset = this.#offset;
    for (const chunk of this.#chunks) {
      const n = Math.min(length - copied, chunk.length - offset);
      chunk.copy(out, copied, offset, offset + n);
      copied += n;
      offset = 0;
      if (copied === length) break;
    }
    return out;
  }

  #skip(length: number): void {
    this.#available -= length;
    while (length > 0) {
      const head = this.#chunks[0]!;
      const left = head.length - this.#offset;
      if (length < left) {
        this.#offset += length;
        return;
      }
      length -= left;
      this.#chunks.shift();
      this.#offset = 0;
    }
  }

  #read(length: number): Buffer {
    const head = this.#chunks[0]!;
    if (head.length - this.#offset >= length) {
      const view = head.subarray(this.#offset, this.#offset + length);
      this.#skip(length);
      return view;
    }
    const out = this.#peek(length);
    this.#skip(length);
    return out;
  }
}
