/**
 * A malformed HPACK header block or Huffman string. An HTTP/2 connection answers it with a
 * connection error of type COMPRESSION_ERROR, since the decoder's dynamic table is now unusable.
 */
export declare class HpackError extends Error {
    get name(): string;
}
//# sourceMappingURL=errors.d.ts.map