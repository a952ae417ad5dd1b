/**
 * @module
 * Go-style duration strings (`8760h`, `1h30m`, `90s`, `500ms`) for command-line options.
 */

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a Go duration string; throws on anything else. */
export function parseDuration(text: string): number {
  const pattern = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;
  let total = 0;
  let offset = 0;
  if (text.length === 0) throw new Error("empty duration");
  while (offset < text.length) {
    pattern.lastIndex = offset;
    const match = pattern.exec(text);
    if (!match) throw new Error(`invalid duration ${JSON.stringify(text)}: use e.g. 8760h, 1h30m, 90s`);
    total += Number(match[1]) * units[match[2]!]!;
    offset = pattern.lastIndex;
  }
  return total;
}
