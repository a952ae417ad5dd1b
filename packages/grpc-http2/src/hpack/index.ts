/**
 * @module
 * HPACK (RFC 7541), the header compression of HTTP/2.
 */
export { HeaderListTooLargeError, HpackError } from "./errors.js";
export { HpackDecoder } from "./decoder.js";
export { HpackEncoder } from "./encoder.js";
export { HUFFMAN_CODES, huffmanDecode, huffmanEncode, huffmanEncodedLength } from "./huffman.js";
export { STATIC_TABLE, staticFieldIndex, staticNameIndex } from "./static-table.js";
