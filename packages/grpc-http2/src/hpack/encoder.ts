/**
 * @module
 * A stateless HPACK encoder (RFC 7541): it never adds to the dynamic table, so its output means the
 * same whatever the peer's decoder holds, and it keeps no state between calls.
 */
import { staticFieldIndex, staticNameIndex } from "./static-table.js";

/**
 * Encodes header lists as HPACK header blocks using only the static table: a field that is a
 * static entry becomes its index (`:status: 200` is the single byte 0x88); any other field is a
 * literal without indexing, its name given by static index when the static table has the name.
 * Strings are plain (not Huffman) literals.
 */
export class HpackEncoder {
  /**
   * Encodes one header list in order. Names must already be lowercase, as HTTP/2 requires; names
   * and values are written as `latin1`, one byte per char code, so chars above U+00FF do not
   * survive.
   */
  encode(fields: Iterable<readonly [string, string]>): Buffer {
    const list = Array.isArray(fields) ? (fields as ReadonlyArray<readonly [string, string]>) : Array.from(fields);
    const indexes = new Int32Array(list.length);
    let length = 0;
    for (let i = 0; i < list.length; i++) {
      const [name, value] = list[i]!;
      const full = staticFieldIndex(name, value);
      if (full !== 0) {
        indexes[i] = full;
        length += integerLength(full, 7);
        continue;
      }
      const nameIndex = staticNameIndex(name);
      indexes[i] = -nameIndex;
      length += nameIndex !== 0 ? integerLength(nameIndex, 4) : 1 + stringLength(name);
      length += stringLength(value);
    }
    const out = Buffer.allocUnsafe(length);
    let pos = 0;
    for (let i = 0; i < list.length; i++) {
      const [name, value] = list[i]!;
      const index = indexes[i]!;
      if (index > 0) {
        pos = writeInteger(out, pos, 0x80, 7, index);
        continue;
      }
      if (index < 0) {
        pos = writeInteger(out, pos, 0x00, 4, -index);
      } else {
        out[pos++] = 0x00;
        pos = writeString(out, pos, name);
      }
      pos = writeString(out, pos, value);
    }
    return out;
  }
}

function integerLength(value: number, prefixBits: number): number {
  const max = (1 << prefixBits) - 1;
  if (value < max) return 1;
  let length = 2;
  for (let rest = value - max; rest >= 0x80; rest = Math.floor(rest / 0x80)) length++;
  return length;
}

function stringLength(s: string): number {
  return integerLength(s.length, 7) + s.length;
}

/* Writes `value` with an N-bit prefix into the byte at `pos`, whose other bits are `flags`. */
function writeInteger(out: Buffer, pos: number, flags: number, prefixBits: number, value: number): number {
  const max = (1 << prefixBits) - 1;
  if (value < max) {
    out[pos++] = flags | value;
    return pos;
  }
  out[pos++] = flags | max;
  let rest = value - max;
  while (rest >= 0x80) {
    out[pos++] = (rest % 0x80) | 0x80;
    rest = Math.floor(rest / 0x80);
  }
  out[pos++] = rest;
  return pos;
}

function writeString(out: Buffer, pos: number, s: string): number {
  pos = writeInteger(out, pos, 0x00, 7, s.length);
  // Below a few dozen chars a plain loop beats the native call of Buffer#write.
  if (s.length > 48) return pos + out.write(s, pos, "latin1");
  for (let i = 0; i < s.length; i++) out[pos++] = s.charCodeAt(i);
  return pos;
}
