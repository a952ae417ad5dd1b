/**
 * @module
 * Small statistics and reporting helpers shared by the controller benchmarks.
 */

/** The q-quantile (0..1) of `values` (sorted copy, nearest rank). */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Milliseconds since `start` (a `process.hrtime.bigint()` value). */
export function since(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** One line describing the machine, for the report. */
export async function machine(): Promise<string> {
  const os = await import("node:os");
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  return `${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

/** Formats a number with thousands separators and `digits` decimals. */
export function fmt(value: number, digits = 0): string {
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
