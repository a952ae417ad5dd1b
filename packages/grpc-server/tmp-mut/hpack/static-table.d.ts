/**
 * @module
 * The HPACK static table (RFC 7541 Appendix A) and the lookups the encoder needs.
 */
/** The 61 static table entries as `[name, value]`; HPACK index `i` is `STATIC_TABLE[i - 1]`. */
export declare const STATIC_TABLE: ReadonlyArray<readonly [string, string]>;
/** The lowest static table index whose name is `name`, or 0 when the name is not in the table. */
export declare function staticNameIndex(name: string): number;
/** The static table index of exactly `name: value`, or 0 when there is no such entry. */
export declare function staticFieldIndex(name: string, value: string): number;
//# sourceMappingURL=static-table.d.ts.map