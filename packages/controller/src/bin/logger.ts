/**
 * @module
 * The controller process's logger: one line per record on stderr, `<ISO time> <LEVEL> <message>`.
 */
import type { DriverLogger, Severity } from "@jumpstarter/core";
import { createLogger } from "@jumpstarter/core";

const rank: Record<Severity, number> = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40, CRITICAL: 50 };

/** Parses a level name (case-insensitive; WARN accepted). */
export function parseSeverity(level: string): Severity {
  const upper = level.toUpperCase();
  const name = upper === "WARN" ? "WARNING" : upper;
  if (!(name in rank)) throw new Error(`unknown log level ${JSON.stringify(level)}: use DEBUG, INFO, WARNING, ERROR or CRITICAL`);
  return name as Severity;
}

/** A logger writing records at `level` and above to `stream`. */
export function stderrLogger(level: Severity = "INFO", stream: NodeJS.WritableStream = process.stderr): DriverLogger {
  const threshold = rank[level];
  return createLogger((severity, message) => {
    if (rank[severity] >= threshold) stream.write(`${new Date().toISOString()} ${severity} ${message}\n`);
  });
}
