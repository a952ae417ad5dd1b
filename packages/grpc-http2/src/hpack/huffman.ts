/**
 * @module
 * The static Huffman code of HPACK (RFC 7541 Section 5.2 and Appendix B).
 *
 * Decoding runs a finite state machine over 4-bit nibbles, built once at module load from the
 * code table: a state is an internal node of the code tree, so each input byte costs two table
 * lookups and never allocates.
 */
import { HpackError } from "./errors.js";

/**
 * RFC 7541 Appendix B: entry `i` is `[code, bit length]` of symbol `i`, the code aligned to the
 * least significant bit. Entries 0 to 255 are the byte values; entry 256 is EOS.
 */
export const HUFFMAN_CODES: ReadonlyArray<readonly [number, number]> = [
  // 0
  [0x1ff8, 13], [0x7fffd8, 23], [0xfffffe2, 28], [0xfffffe3, 28], [0xfffffe4, 28], [0xfffffe5, 28], [0xfffffe6, 28], [0xfffffe7, 28],
  [0xfffffe8, 28], [0xffffea, 24], [0x3ffffffc, 30], [0xfffffe9, 28], [0xfffffea, 28], [0x3ffffffd, 30], [0xfffffeb, 28], [0xfffffec, 28],
  [0xfffffed, 28], [0xfffffee, 28], [0xfffffef, 28], [0xffffff0, 28], [0xffffff1, 28], [0xffffff2, 28], [0x3ffffffe, 30], [0xffffff3, 28],
  [0xffffff4, 28], [0xffffff5, 28], [0xffffff6, 28], [0xffffff7, 28], [0xffffff8, 28], [0xffffff9, 28], [0xffffffa, 28], [0xffffffb, 28],
  // 32 ' '
  [0x14, 6], [0x3f8, 10], [0x3f9, 10], [0xffa, 12], [0x1ff9, 13], [0x15, 6], [0xf8, 8], [0x7fa, 11],
  [0x3fa, 10], [0x3fb, 10], [0xf9, 8], [0x7fb, 11], [0xfa, 8], [0x16, 6], [0x17, 6], [0x18, 6],
  // 48 '0'
  [0x0, 5], [0x1, 5], [0x2, 5], [0x19, 6], [0x1a, 6], [0x1b, 6], [0x1c, 6], [0x1d, 6],
  [0x1e, 6], [0x1f, 6], [0x5c, 7], [0xfb, 8], [0x7ffc, 15], [0x20, 6], [0xffb, 12], [0x3fc, 10],
  // 64 '@'
  [0x1ffa, 13], [0x21, 6], [0x5d, 7], [0x5e, 7], [0x5f, 7], [0x60, 7], [0x61, 7], [0x62, 7],
  [0x63, 7], [0x64, 7], [0x65, 7], [0x66, 7], [0x67, 7], [0x68, 7], [0x69, 7], [0x6a, 7],
  [0x6b, 7], [0x6c, 7], [0x6d, 7], [0x6e, 7], [0x6f, 7], [0x70, 7], [0x71, 7], [0x72, 7],
  [0xfc, 8], [0x73, 7], [0xfd, 8], [0x1ffb, 13], [0x7fff0, 19], [0x1ffc, 13], [0x3ffc, 14], [0x22, 6],
  // 96 '`'
  [0x7ffd, 15], [0x3, 5], [0x23, 6], [0x4, 5], [0x24, 6], [0x5, 5], [0x25, 6], [0x26, 6],
  [0x27, 6], [0x6, 5], [0x74, 7], [0x75, 7], [0x28, 6], [0x29, 6], [0x2a, 6], [0x7, 5],
  [0x2b, 6], [0x76, 7], [0x2c, 6], [0x8, 5], [0x9, 5], [0x2d, 6], [0x77, 7], [0x78, 7],
  [0x79, 7], [0x7a, 7], [0x7b, 7], [0x7ffe, 15], [0x7fc, 11], [0x3ffd, 14], [0x1ffd, 13], [0xffffffc, 28],
  // 128
  [0xfffe6, 20], [0x3fffd2, 22], [0xfffe7, 20], [0xfffe8, 20], [0x3fffd3, 22], [0x3fffd4, 22], [0x3fffd5, 22], [0x7fffd9, 23],
  [0x3fffd6, 22], [0x7fffda, 23], [0x7fffdb, 23], [0x7fffdc, 23], [0x7fffdd, 23], [0x7fffde, 23], [0xffffeb, 24], [0x7fffdf, 23],
  [0xffffec, 24], [0xffffed, 24], [0x3fffd7, 22], [0x7fffe0, 23], [0xffffee, 24], [0x7fffe1, 23], [0x7fffe2, 23], [0x7fffe3, 23],
  [0x7fffe4, 23], [0x1fffdc, 21], [0x3fffd8, 22], [0x7fffe5, 23], [0x3fffd9, 22], [0x7fffe6, 23], [0x7fffe7, 23], [0xffffef, 24],
  // 160
  [0x3fffda, 22], [0x1fffdd, 21], [0xfffe9, 20], [0x3fffdb, 22], [0x3fffdc, 22], [0x7fffe8, 23], [0x7fffe9, 23], [0x1fffde, 21],
  [0x7fffea, 23], [0x3fffdd, 22], [0x3fffde, 22], [0xfffff0, 24], [0x1fffdf, 21], [0x3fffdf, 22], [0x7fffeb, 23], [0x7fffec, 23],
  [0x1fffe0, 21], [0x1fffe1, 21], [0x3fffe0, 22], [0x1fffe2, 21], [0x7fffed, 23], [0x3fffe1, 22], [0x7fffee, 23], [0x7fffef, 23],
  [0xfffea, 20], [0x3fffe2, 22], [0x3fffe3, 22], [0x3fffe4, 22], [0x7ffff0, 23], [0x3fffe5, 22], [0x3fffe6, 22], [0x7ffff1, 23],
  // 192
  [0x3ffffe0, 26], [0x3ffffe1, 26], [0xfffeb, 20], [0x7fff1, 19], [0x3fffe7, 22], [0x7ffff2, 23], [0x3fffe8, 22], [0x1ffffec, 25],
  [0x3ffffe2, 26], [0x3ffffe3, 26], [0x3ffffe4, 26], [0x7ffffde, 27], [0x7ffffdf, 27], [0x3ffffe5, 26], [0xfffff1, 24], [0x1ffffed, 25],
  [0x7fff2, 19], [0x1fffe3, 21], [0x3ffffe6, 26], [0x7ffffe0, 27], [0x7ffffe1, 27], [0x3ffffe7, 26], [0x7ffffe2, 27], [0xfffff2, 24],
  [0x1fffe4, 21], [0x1fffe5, 21], [0x3ffffe8, 26], [0x3ffffe9, 26], [0xffffffd, 28], [0x7ffffe3, 27], [0x7ffffe4, 27], [0x7ffffe5, 27],
  // 224
  [0xfffec, 20], [0xfffff3, 24], [0xfffed, 20], [0x1fffe6, 21], [0x3fffe9, 22], [0x1fffe7, 21], [0x1fffe8, 21], [0x7ffff3, 23],
  [0x3fffea, 22], [0x3fffeb, 22], [0x1ffffee, 25], [0x1ffffef, 25], [0xfffff4, 24], [0xfffff5, 24], [0x3ffffea, 26], [0x7ffff4, 23],
  [0x3ffffeb, 26], [0x7ffffe6, 27], [0x3ffffec, 26], [0x3ffffed, 26], [0x7ffffe7, 27], [0x7ffffe8, 27], [0x7ffffe9, 27], [0x7ffffea, 27],
  [0x7ffffeb, 27], [0xffffffe, 28], [0x7ffffec, 27], [0x7ffffed, 27], [0x7ffffee, 27], [0x7ffffef, 27], [0x7fffff0, 27], [0x3ffffee, 26],
  // 256 EOS
  [0x3fffffff, 30],
];

const EOS = 256;
const CODES = Uint32Array.from(HUFFMAN_CODES, ([code]) => code);
const LENGTHS = Uint8Array.from(HUFFMAN_CODES, ([, length]) => length);

/*
 * The code tree: node `n` has children `CHILDREN[2n]` (bit 0) and `CHILDREN[2n + 1]` (bit 1).
 * A child is an internal node id (> 0; the root 0 is nobody's child) or a leaf `-(symbol + 1)`.
 */
const CHILDREN = new Int32Array(2 * EOS);
let nodeCount = 1;
for (let symbol = 0; symbol <= EOS; symbol++) {
  const code = CODES[symbol]!;
  let node = 0;
  for (let bit = LENGTHS[symbol]! - 1; bit > 0; bit--) {
    const slot = 2 * node + ((code >>> bit) & 1);
    if (CHILDREN[slot] === 0) CHILDREN[slot] = nodeCount++;
    else if (CHILDREN[slot]! < 0) throw new Error(`Huffman table: code of ${symbol} extends another code`);
    node = CHILDREN[slot]!;
  }
  const slot = 2 * node + (code & 1);
  if (CHILDREN[slot] !== 0) throw new Error(`Huffman table: code of ${symbol} is a prefix of another code`);
  CHILDREN[slot] = -(symbol + 1);
}
if (nodeCount !== EOS || CHILDREN.includes(0)) throw new Error("Huffman table: the code tree is not complete");

/*
 * How a string may end in each state: padding is the start of EOS (all ones), at most 7 bits,
 * so the only final states are the first 8 nodes on the all-ones path from the root.
 */
const END_OK = 0;
const END_NOT_ONES = 1;
const END_TOO_LONG = 2;
const END_STATE = new Uint8Array(EOS).fill(END_NOT_ONES);
for (let node = 0, depth = 0; node > 0 || depth === 0; node = CHILDREN[2 * node + 1]!, depth++) {
  END_STATE[node] = depth <= 7 ? END_OK : END_TOO_LONG;
}

/*
 * Transition on (state, nibble): bits 0-7 next state, bits 8-15 the symbol completed on the way,
 * EMIT when there is one (a nibble completes at most one, as no code is shorter than 5 bits),
 * FAIL when the nibble runs into EOS.
 */
const EMIT = 1 << 16;
const FAIL = 1 << 17;
const TRANSITIONS = new Uint32Array(16 * EOS);
for (let state = 0; state < EOS; state++) {
  for (let nibble = 0; nibble < 16; nibble++) {
    let node = state;
    let entry = 0;
    for (let bit = 3; bit >= 0; bit--) {
      const child = CHILDREN[2 * node + ((nibble >>> bit) & 1)]!;
      if (child > 0) {
        node = child;
      } else if (child === -(EOS + 1)) {
        entry = FAIL;
        break;
      } else {
        entry = EMIT | ((-child - 1) << 8);
        node = 0;
      }
    }
    TRANSITIONS[16 * state + nibble] = entry | node;
  }
}

/**
 * Decodes `src[start..end)` into `out` from `outStart`, returning the end offset in `out`.
 * `out` must have room for `floor((end - start) * 8 / 5)` bytes after `outStart`.
 *
 * @internal
 * @throws HpackError if the string contains EOS or its padding is not at most 7 one bits.
 */
export function huffmanDecodeInto(src: Uint8Array, start: number, end: number, out: Uint8Array, outStart: number): number {
  let state = 0;
  let o = outStart;
  for (let i = start; i < end; i++) {
    const byte = src[i]!;
    let t = TRANSITIONS[(state << 4) | (byte >>> 4)]!;
    if (t & EMIT) out[o++] = t >>> 8;
    else if (t & FAIL) throw new HpackError("Huffman string contains EOS");
    state = t & 0xff;
    t = TRANSITIONS[(state << 4) | (byte & 0x0f)]!;
    if (t & EMIT) out[o++] = t >>> 8;
    else if (t & FAIL) throw new HpackError("Huffman string contains EOS");
    state = t & 0xff;
  }
  const ending = END_STATE[state];
  if (ending === END_TOO_LONG) throw new HpackError("Huffman string has padding longer than 7 bits");
  if (ending === END_NOT_ONES) throw new HpackError("Huffman string padding is not all ones");
  return o;
}

/**
 * Decodes a Huffman-encoded string.
 *
 * @throws HpackError if the string contains EOS or its padding is not at most 7 one bits.
 */
export function huffmanDecode(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.floor((bytes.length * 8) / 5));
  return out.subarray(0, huffmanDecodeInto(bytes, 0, bytes.length, out, 0));
}

/** The length in bytes of `bytes` once Huffman-encoded, padding included. */
export function huffmanEncodedLength(bytes: Uint8Array): number {
  let bits = 0;
  for (let i = 0; i < bytes.length; i++) bits += LENGTHS[bytes[i]!]!;
  return Math.ceil(bits / 8);
}

/** Huffman-encodes `bytes`, padding the last byte with the most significant bits of EOS. */
export function huffmanEncode(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(huffmanEncodedLength(bytes));
  let o = 0;
  // At most 7 bits wait in `pending` between symbols; codes over 24 bits go in two parts so it stays below 2^31.
  let pending = 0;
  let bits = 0;
  for (let i = 0; i < bytes.length; i++) {
    let code = CODES[bytes[i]!]!;
    let length = LENGTHS[bytes[i]!]!;
    if (length > 24) {
      pending = (pending << (length - 16)) | (code >>> 16);
      bits += length - 16;
      while (bits >= 8) {
        bits -= 8;
        out[o++] = pending >>> bits;
        pending &= (1 << bits) - 1;
      }
      code &= 0xffff;
      length = 16;
    }
    pending = (pending << length) | code;
    bits += length;
    while (bits >= 8) {
      bits -= 8;
      out[o++] = pending >>> bits;
      pending &= (1 << bits) - 1;
    }
  }
  if (bits > 0) out[o] = (pending << (8 - bits)) | (0xff >>> bits);
  return out;
}
