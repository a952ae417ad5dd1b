/**
 * @module
 * gRPC's length-prefixed messages on an HTTP/2 stream (gRPC over HTTP/2, "Length-Prefixed-Message"), and the
 * `grpc-message` / `grpc-timeout` encodings.
 */
import { gunzipSync, inflateSync } from "node:zlib";

/** One received message: `compressed` is the prefix's flag; `parts` are views of the received payloads. */
export interface ReceivedMessage {
  readonly compressed: boolean;
  readonly parts: readonly Buffer[];
}

/** The bytes of `message` in one buffer (a copy only when it arrived in several pieces). */
export function joined(message: ReceivedMessage): Buffer {
  return message.parts.length === 1 ? message.parts[0]! : Buffer.concat(message.parts as Buffer[]);
}

/** Thrown when a message announces more bytes than allowed. */
export class MessageTooLargeError extends Error {
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(`Received message larger than max (${size} vs. ${limit})`);
  }
}

/**
 * Reassembles messages from DATA payloads without copying: a message is the list of views of the payloads it
 * arrived in (see {@link joined}).
 */
export class MessageReader {
  readonly #limit: number;
  #chunks: Buffer[] = [];
  #buffered = 0;
  #size = -1;
  #compressed = false;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Bytes held for a message not yet complete. */
  get buffered(): number {
    return this.#buffered;
  }

  /** Adds a payload; returns the messages it completed. Throws {@link MessageTooLargeError}. */
  push(chunk: Buffer): ReceivedMessage[] {
    const messages: ReceivedMessage[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#size < 0) {
        // Fast path: a whole prefix and message inside this payload, nothing buffered before it.
        if (this.#buffered === 0 && chunk.length - offset >= 5) {
          const size = chunk.readUInt32BE(offset + 1);
          if (size > this.#limit) throw new MessageTooLargeError(size, this.#limit);
          if (chunk.length - offset - 5 >= size) {
            messages.push({ compressed: chunk[offset] === 1, parts: [chunk.subarray(offset + 5, offset + 5 + size)] });
            offset += 5 + size;
            continue;
          }
        }
        const need = 5 - this.#buffered;
        const take = Math.min(need, chunk.length - offset);
        this.#chunks.push(chunk.subarray(offset, offset + take));
        this.#buffered += take;
        offset += take;
        if (this.#buffered < 5) break;
        const prefix = Buffer.concat(this.#chunks, 5);
        this.#chunks = [];
        this.#buffered = 0;
        this.#compressed = prefix[0] === 1;
        this.#size = prefix.readUInt32BE(1);
        if (this.#size > this.#limit) throw new MessageTooLargeError(this.#size, this.#limit);
        if (this.#size === 0) {
          messages.push({ compressed: this.#compressed, parts: [Buffer.alloc(0)] });
          this.#size = -1;
        }
        continue;
      }
      const take = Math.min(this.#size - this.#buffered, chunk.length - offset);
      this.#chunks.push(chunk.subarray(offset, offset + take));
      this.#buffered += take;
      offset += take;
      if (this.#buffered === this.#size) {
        messages.push({ compressed: this.#compressed, parts: this.#chunks });
        this.#chunks = [];
        this.#buffered = 0;
        this.#size = -1;
      }
    }
    return messages;
  }
}

/**
 * The bytes of a compressed message inflated per its call's `grpc-encoding` (gzip, deflate); `undefined` for an
 * encoding this side does not support. Throws when the bytes do not inflate.
 */
export function decompress(data: Buffer, encoding: string | undefined): Buffer | undefined {
  if (encoding === "gzip") return gunzipSync(data);
  if (encoding === "deflate") return inflateSync(data);
  return undefined;
}

/** The 5-byte prefix of an uncompressed message of `size` bytes, at the start of a buffer of `length` bytes. */
export function messagePrefix(size: number, length = 5): Buffer {
  const prefix = Buffer.allocUnsafe(length);
  prefix[0] = 0;
  prefix.writeUInt32BE(size, 1);
  return prefix;
}

/** Messages up to this size are copied behind their prefix; larger ones go out as prefix + their own pieces. */
const SMALL_MESSAGE = 4096;

/** A message ready to send: its prefix and bytes as chunks, `length` bytes in all. */
export interface FramedMessage {
  readonly chunks: Buffer[];
  readonly length: number;
  /** Whether every byte was copied into a buffer of its own (else `chunks` holds views of the pieces given). */
  readonly copied: boolean;
}

/** Frames a message given as pieces: a small one copied behind its prefix (one buffer), a large one not copied. */
export function frameMessage(parts: readonly Uint8Array[]): FramedMessage {
  let size = 0;
  for (const part of parts) size += part.byteLength;
  if (size <= SMALL_MESSAGE) {
    const framed = messagePrefix(size, 5 + size);
    let offset = 5;
    for (const part of parts) {
      framed.set(part, offset);
      offset += part.byteLength;
    }
    return { chunks: [framed], length: 5 + size, copied: true };
  }
  const chunks = [messagePrefix(size)];
  for (const part of parts) chunks.push(Buffer.isBuffer(part) ? part : Buffer.from(part.buffer, part.byteOffset, part.byteLength));
  return { chunks, length: 5 + size, copied: false };
}

/** Percent-encodes a status message for `grpc-message` (gRPC over HTTP/2, "Status-Message"). */
export function encodeGrpcMessage(message: string): string {
  let plain = true;
  for (let i = 0; i < message.length; i++) {
    const code = message.charCodeAt(i);
    if (code < 0x20 || code > 0x7e || code === 0x25) {
      plain = false;
      break;
    }
  }
  if (plain) return message;
  let out = "";
  for (const byte of Buffer.from(message, "utf8")) {
    out += byte < 0x20 || byte > 0x7e || byte === 0x25 ? `%${byte.toString(16).toUpperCase().padStart(2, "0")}` : String.fromCharCode(byte);
  }
  return out;
}

/** Decodes a percent-encoded `grpc-message` value; a malformed escape is kept as it is. */
export function decodeGrpcMessage(value: string): string {
  if (!value.includes("%")) return value;
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 0x25 && i + 2 < value.length && /^[0-9A-Fa-f]{2}$/.test(value.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(value[i]!, "utf8"));
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

/** A `grpc-timeout` value for `ms` milliseconds (at most 8 digits, in the finest unit that fits). */
export function formatGrpcTimeout(ms: number): string {
  const value = Math.max(0, Math.ceil(ms));
  if (value < 100_000_000) return `${value}m`;
  const seconds = Math.ceil(value / 1000);
  if (seconds < 100_000_000) return `${seconds}S`;
  return `${Math.min(99_999_999, Math.ceil(seconds / 3600))}H`;
}

const timeoutUnits: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000_001 };

/** Milliseconds of a `grpc-timeout` value, or `undefined` when it is malformed. */
export function parseGrpcTimeout(value: string): number | undefined {
  const match = /^(\d{1,8})([HMSmun])$/.exec(value);
  if (!match) return undefined;
  return Number(match[1]) * timeoutUnits[match[2]!]!;
}
