/**
 * Encodes header lists as HPACK header blocks using only the static table: a field that is a
 * static entry becomes its index (`:status: 200` is the single byte 0x88); any other field is a
 * literal without indexing, its name given by static index when the static table has the name.
 * Strings are plain (not Huffman) literals.
 */
export declare class HpackEncoder {
    /**
     * Encodes one header list in order. Names must already be lowercase, as HTTP/2 requires; names
     * and values are written as `latin1`, one byte per char code, so chars above U+00FF do not
     * survive.
     */
    encode(fields: Iterable<readonly [string, string]>): Buffer;
}
//# sourceMappingURL=encoder.d.ts.map