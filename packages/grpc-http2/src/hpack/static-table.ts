/**
 * @module
 * The HPACK static table (RFC 7541 Appendix A) and the lookups the encoder needs.
 */

/** The 61 static table entries as `[name, value]`; HPACK index `i` is `STATIC_TABLE[i - 1]`. */
export const STATIC_TABLE: ReadonlyArray<readonly [string, string]> = [
  [":authority", ""],
  [":method", "GET"],
  [":method", "POST"],
  [":path", "/"],
  [":path", "/index.html"],
  [":scheme", "http"],
  [":scheme", "https"],
  [":status", "200"],
  [":status", "204"],
  [":status", "206"],
  [":status", "304"],
  [":status", "400"],
  [":status", "404"],
  [":status", "500"],
  ["accept-charset", ""],
  ["accept-encoding", "gzip, deflate"],
  ["accept-language", ""],
  ["accept-ranges", ""],
  ["accept", ""],
  ["access-control-allow-origin", ""],
  ["age", ""],
  ["allow", ""],
  ["authorization", ""],
  ["cache-control", ""],
  ["content-disposition", ""],
  ["content-encoding", ""],
  ["content-language", ""],
  ["content-length", ""],
  ["content-location", ""],
  ["content-range", ""],
  ["content-type", ""],
  ["cookie", ""],
  ["date", ""],
  ["etag", ""],
  ["expect", ""],
  ["expires", ""],
  ["from", ""],
  ["host", ""],
  ["if-match", ""],
  ["if-modified-since", ""],
  ["if-none-match", ""],
  ["if-range", ""],
  ["if-unmodified-since", ""],
  ["last-modified", ""],
  ["link", ""],
  ["location", ""],
  ["max-forwards", ""],
  ["proxy-authenticate", ""],
  ["proxy-authorization", ""],
  ["range", ""],
  ["referer", ""],
  ["refresh", ""],
  ["retry-after", ""],
  ["server", ""],
  ["set-cookie", ""],
  ["strict-transport-security", ""],
  ["transfer-encoding", ""],
  ["user-agent", ""],
  ["vary", ""],
  ["via", ""],
  ["www-authenticate", ""],
];

const nameIndex = new Map<string, number>();
const fieldIndex = new Map<string, Map<string, number>>();
STATIC_TABLE.forEach(([name, value], i) => {
  if (!nameIndex.has(name)) nameIndex.set(name, i + 1);
  let values = fieldIndex.get(name);
  if (values === undefined) fieldIndex.set(name, (values = new Map()));
  values.set(value, i + 1);
});

/** The lowest static table index whose name is `name`, or 0 when the name is not in the table. */
export function staticNameIndex(name: string): number {
  return nameIndex.get(name) ?? 0;
}

/** The static table index of exactly `name: value`, or 0 when there is no such entry. */
export function staticFieldIndex(name: string, value: string): number {
  return fieldIndex.get(name)?.get(value) ?? 0;
}
