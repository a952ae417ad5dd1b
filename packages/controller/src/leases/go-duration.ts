/**
 * @module
 * Go's `time.Duration.String()` format, which the reference puts into error texts ("-1h0m0s", "1.5s", "250ms").
 */

function fraction(value: bigint, digits: number): string {
  const text = value.toString().padStart(digits, "0").replace(/0+$/, "");
  return text.length > 0 ? `.${text}` : "";
}

/** Formats a duration in nanoseconds like Go's `Duration.String()`. */
export function formatGoDurationNanos(nanos: bigint): string {
  if (nanos === 0n) return "0s";
  const sign = nanos < 0n ? "-" : "";
  const abs = nanos < 0n ? -nanos : nanos;
  if (abs < 1_000n) return `${sign}${abs}ns`;
  if (abs < 1_000_000n) return `${sign}${abs / 1_000n}${fraction(abs % 1_000n, 3)}µs`;
  if (abs < 1_000_000_000n) return `${sign}${abs / 1_000_000n}${fraction(abs % 1_000_000n, 6)}ms`;
  const seconds = abs / 1_000_000_000n;
  const secondsText = `${seconds % 60n}${fraction(abs % 1_000_000_000n, 9)}s`;
  const minutes = seconds / 60n;
  if (minutes === 0n) return `${sign}${secondsText}`;
  const hours = minutes / 60n;
  if (hours === 0n) return `${sign}${minutes}m${secondsText}`;
  return `${sign}${hours}h${minutes % 60n}m${secondsText}`;
}

/** Formats a duration in milliseconds (fractions allowed, to nanosecond precision) like Go's `Duration.String()`. */
export function formatGoDuration(ms: number): string {
  return formatGoDurationNanos(BigInt(Math.round(ms * 1_000_000)));
}
