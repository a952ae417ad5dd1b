/**
 * @module
 * The CLI's own log lines on stderr, filtered by `--log-level`, as text or JSON (`--log-format`).
 */
import type { LogRecord, Severity } from "@jumpstarter/core";

const order: readonly Severity[] = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"];

/** Log formats of `jmp run`. */
export type LogFormat = "auto" | "json" | "text";

/** A small stderr logger. */
export interface CliLogger {
  readonly level: Severity;
  log(severity: Severity, message: string, source?: string): void;
  /** Prints a session log record (driver or hook output). */
  record(record: LogRecord, source: string): void;
}

/** Parses a `--log-level` value (case-insensitive; WARN is WARNING). */
export function parseLogLevel(value: string | undefined, fallback: Severity = "WARNING"): Severity {
  if (!value) return fallback;
  const upper = value.toUpperCase();
  const level = upper === "WARN" ? "WARNING" : upper;
  return (order as readonly string[]).includes(level) ? (level as Severity) : fallback;
}

/** A logger writing to `write` (stderr by default). */
export function createCliLogger(
  level: Severity,
  format: LogFormat = "text",
  write: (text: string) => void = (text) => process.stderr.write(text),
): CliLogger {
  const threshold = order.indexOf(level);
  const json = format === "json" || (format === "auto" && !process.stderr.isTTY);
  const emit = (severity: Severity, message: string, source: string, time: Date) => {
    if (order.indexOf(severity) < threshold) return;
    if (json) write(`${JSON.stringify({ time: time.toISOString(), level: severity, source, message })}\n`);
    else write(`${time.toISOString()} ${severity.padEnd(7)} ${source}: ${message}\n`);
  };
  return {
    level,
    log: (severity, message, source = "jmp") => emit(severity, message, source, new Date()),
    record: (record, source) => emit(record.severity, record.message, record.driverType ? `${source}/${record.driverType}` : source, record.timestamp),
  };
}
