/**
 * @module
 * The borderless table the CLI prints: upper-case headers, columns padded with three spaces.
 */

/** Formats `rows` under `headers`; "No resources found." when there are none. */
export function formatTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, empty = "No resources found."): string {
  if (rows.length === 0) return `${empty}\n`;
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join("   ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].join("\n") + "\n";
}
