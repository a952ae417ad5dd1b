/**
 * A malformed HPACK header block or Huffman string. An HTTP/2 connection answers it with a
 * connection error of type COMPRESSION_ERROR, since the decoder's dynamic table is now unusable.
 */
export class HpackError extends Error {
  override get name(): string {
    return "HpackError";
  }
}

/**
 * A well-formed header block whose decoded list is larger than allowed. The whole block was decoded, so the
 * dynamic table is still in step with the peer's: only the request it belongs to is refused.
 */
export class HeaderListTooLargeError extends Error {
  override get name(): string {
    return "HeaderListTooLargeError";
  }
}
