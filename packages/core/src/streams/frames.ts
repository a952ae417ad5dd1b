/**
 * @module
 * Hand-written codec for `jumpstarter.v1.StreamRequest` / `StreamResponse` (`payload` = field 1 bytes,
 * `frame_type` = field 2 enum). These two messages carry every byte of every raw stream, so they skip the
 * generic protobuf runtime: a DATA frame is sent as views of the bytes written and received as views of the
 * bytes read, copying nothing.
 */
import type { CodecOverrides } from "@jumpstarter/protocol";
import { FrameType } from "@jumpstarter/protocol/gen/jumpstarter/v1/router_pb";

export { FrameType };

/** One frame of a router stream, in either direction. */
export interface Frame {
  readonly payload: Uint8Array;
  readonly frameType: FrameType;
}

const empty = new Uint8Array(0);

function varintLength(value: number): number {
  let length = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    length++;
  }
  return length;
}

function writeVarint(buffer: Buffer, offset: number, value: number): number {
  while (value >= 0x80) {
    buffer[offset++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  buffer[offset++] = value;
  return offset;
}

/**
 * Cuts `chunks` into DATA frames of at most `maxPayload` bytes each, as views of the chunks: nothing is copied,
 * so the chunks must stay unchanged until the frames were sent.
 */
export function gatherDataFrames(chunks: readonly Buffer[], maxPayload: number): PartedDataFrame[] {
  const frames: PartedDataFrame[] = [];
  let parts: Buffer[] = [];
  let room = maxPayload;
  for (let chunk of chunks) {
    while (chunk.length > 0) {
      const take = Math.min(room, chunk.length);
      parts.push(take === chunk.length ? chunk : chunk.subarray(0, take));
      chunk = chunk.subarray(take);
      room -= take;
      if (room === 0) {
        frames.push(new PartedDataFrame(parts));
        parts = [];
        room = maxPayload;
      }
    }
  }
  if (parts.length > 0) frames.push(new PartedDataFrame(parts));
  return frames;
}

/** Serialises a frame exactly as protobuf would (default values omitted). */
export function encodeFrame(frame: Frame): Buffer {
  const size = frame.payload.byteLength;
  const type = frame.frameType;
  const length = (size > 0 ? 1 + varintLength(size) + size : 0) + (type !== 0 ? 1 + varintLength(type) : 0);
  const out = Buffer.allocUnsafe(length);
  let offset = 0;
  if (size > 0) {
    out[offset++] = 0x0a;
    offset = writeVarint(out, offset, size);
    out.set(frame.payload, offset);
    offset += size;
  }
  if (type !== 0) {
    out[offset++] = 0x10;
    writeVarint(out, offset, type);
  }
  return out;
}

/** Parses a frame; unknown fields are skipped as protobuf requires. */
export function decodeFrame(bytes: Buffer): Frame {
  let payload: Uint8Array = empty;
  let frameType = 0;
  let offset = 0;
  const readVarint = (): number => {
    let result = 0;
    let scale = 1;
    for (;;) {
      if (offset >= bytes.length) throw new Error("truncated varint in router frame");
      const byte = bytes[offset++]!;
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) return result;
      scale *= 128;
    }
  };
  while (offset < bytes.length) {
    const tag = readVarint();
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (wireType === 0) {
      const value = readVarint();
      if (field === 2) frameType = value;
    } else if (wireType === 2) {
      const length = readVarint();
      if (offset + length > bytes.length) throw new Error("truncated field in router frame");
      if (field === 1) payload = bytes.subarray(offset, offset + length);
      offset += length;
    } else if (wireType === 1) {
      offset += 8;
    } else if (wireType === 5) {
      offset += 4;
    } else {
      throw new Error(`unsupported wire type ${wireType} in router frame`);
    }
  }
  return { payload, frameType };
}

/**
 * A DATA frame whose message arrived in several pieces: `parts` are views of the received bytes, in order.
 * `payload` joins them on first use, for readers that need one buffer.
 */
export class PartedDataFrame implements Frame {
  readonly frameType = FrameType.DATA;
  readonly parts: readonly Buffer[];
  #payload: Uint8Array | undefined;

  constructor(parts: readonly Buffer[]) {
    this.parts = parts;
  }

  get payload(): Uint8Array {
    return (this.#payload ??= Buffer.concat(this.parts as Buffer[]));
  }
}

/** Bytes after the payload field worth decoding piecewise (a frame_type field takes at most 11). */
const MAX_TRAILER = 16;

/**
 * Parses a frame received in pieces. The usual DATA frame (payload field first, nothing after it but a
 * frame_type of DATA) becomes a {@link PartedDataFrame} over views of the pieces, copying nothing; any other
 * layout is joined and parsed by {@link decodeFrame}.
 */
export function decodeFrameParts(parts: readonly Buffer[]): Frame {
  const first = parts[0];
  let total = 0;
  for (const part of parts) total += part.length;
  const whole = () => decodeFrame(Buffer.concat(parts as Buffer[], total));
  if (!first || first.length < 6 || first[0] !== 0x0a) return whole();
  let length = 0;
  let scale = 1;
  let offset = 1;
  for (;;) {
    const byte = first[offset++]!;
    length += (byte & 0x7f) * scale;
    if (byte < 0x80) break;
    scale *= 128;
    if (offset > 5) return whole();
  }
  const end = offset + length;
  if (end > total || total - end > MAX_TRAILER) return whole();
  if (end < total) {
    const trailer = Buffer.concat(parts as Buffer[], total).subarray(end);
    const rest = decodeFrame(trailer);
    if (rest.frameType !== FrameType.DATA || rest.payload.byteLength > 0) return whole();
  }
  const views: Buffer[] = [];
  let at = 0;
  for (const part of parts) {
    const from = Math.max(offset - at, 0);
    const to = Math.min(end - at, part.length);
    if (to > from) views.push(from === 0 && to === part.length ? part : part.subarray(from, to));
    at += part.length;
    if (at >= end) break;
  }
  return new PartedDataFrame(views);
}

/**
 * A frame's wire encoding as pieces to send one after another: a {@link PartedDataFrame} is its field header
 * followed by its parts, copying nothing; any other frame is encoded whole.
 */
export function encodeFrameParts(frame: Frame): readonly Uint8Array[] {
  if (!(frame instanceof PartedDataFrame)) return [encodeFrame(frame)];
  let size = 0;
  for (const part of frame.parts) size += part.byteLength;
  if (size === 0) return [];
  const header = Buffer.allocUnsafe(1 + varintLength(size));
  header[0] = 0x0a;
  writeVarint(header, 1, size);
  return [header, ...frame.parts];
}

/** Codec overrides that route both router messages through this codec (grpc-js and `@jumpstarter/grpc-http2`). */
export const frameCodecs: CodecOverrides = {
  "jumpstarter.v1.StreamRequest": { serialize: encodeFrame, serializeParts: encodeFrameParts, deserialize: decodeFrame, deserializeParts: decodeFrameParts },
  "jumpstarter.v1.StreamResponse": { serialize: encodeFrame, serializeParts: encodeFrameParts, deserialize: decodeFrame, deserializeParts: decodeFrameParts },
};
