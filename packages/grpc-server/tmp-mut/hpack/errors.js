/**
 * A malformed HPACK header block or Huffman string. An HTTP/2 connection answers it with a
 * connection error of type COMPRESSION_ERROR, since the decoder's dynamic table is now unusable.
 */
export class HpackError extends Error {
    get name() {
        return "HpackError";
    }
}
//# sourceMappingURL=errors.js.map