/**
 * @module
 * The HPACK decoder (RFC 7541): one per HTTP/2 connection, fed every complete header block the
 * peer sends, in order, since the blocks share the dynamic table.
 */
import { HpackError } from "./errors.js";
export { HpackError };
/**
 * Decodes HPACK header blocks into `[name, value]` lists. Names and values are `latin1` strings,
 * so every byte survives as one char code.
 */
export declare class HpackDecoder {
    #private;
    /**
     * @param maxTableSize - the SETTINGS_HEADER_TABLE_SIZE this endpoint advertises: the most the
     *   peer's dynamic table size updates may ask for, and the initial table size.
     * @param maxHeaderListSize - the largest decoded header list accepted, counted as
     *   SETTINGS_MAX_HEADER_LIST_SIZE counts it (name length + value length + 32 per field).
     */
    constructor(maxTableSize?: number, maxHeaderListSize?: number);
    /** The current size of the dynamic table, counted as RFC 7541 Section 4.1 counts it. */
    get tableSize(): number;
    /** The current maximum size of the dynamic table, as last set by the peer (or the initial limit). */
    get maxTableSize(): number;
    /** A copy of the dynamic table, newest entry (index 62) first. */
    tableEntries(): Array<[string, string]>;
    /**
     * Decodes one complete header block (the fragments of a HEADERS or PUSH_PROMISE frame and its
     * CONTINUATION frames, concatenated), updating the dynamic table.
     *
     * @throws HpackError on any malformed block, or when the header list exceeds the size limit.
     */
    decode(block: Uint8Array): Array<[string, string]>;
}
//# sourceMappingURL=decoder.d.ts.map