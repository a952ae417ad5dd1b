/**
 * RFC 7541 Appendix B: entry `i` is `[code, bit length]` of symbol `i`, the code aligned to the
 * least significant bit. Entries 0 to 255 are the byte values; entry 256 is EOS.
 */
export declare const HUFFMAN_CODES: ReadonlyArray<readonly [number, number]>;
/**
 * Decodes `src[start..end)` into `out` from `outStart`, returning the end offset in `out`.
 * `out` must have room for `floor((end - start) * 8 / 5)` bytes after `outStart`.
 *
 * @internal
 * @throws HpackError if the string contains EOS or its padding is not at most 7 one bits.
 */
export declare function huffmanDecodeInto(src: Uint8Array, start: number, end: number, out: Uint8Array, outStart: number): number;
/**
 * Decodes a Huffman-encoded string.
 *
 * @throws HpackError if the string contains EOS or its padding is not at most 7 one bits.
 */
export declare function huffmanDecode(bytes: Uint8Array): Uint8Array;
/** The length in bytes of `bytes` once Huffman-encoded, padding included. */
export declare function huffmanEncodedLength(bytes: Uint8Array): number;
/** Huffman-encodes `bytes`, padding the last byte with the most significant bits of EOS. */
export declare function huffmanEncode(bytes: Uint8Array): Uint8Array;
//# sourceMappingURL=huffman.d.ts.map