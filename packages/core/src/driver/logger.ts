/**
 * @module
 * The logger drivers write to. The exporter session attaches a sink that feeds `LogStream`.
 */

/** Python logging level names, as sent in `LogStreamResponse.severity`. */
export type Severity = "DEBUG" | "INFO" | "WARNING" | "ERROR" | "CRITICAL";

/** A driver's logger. */
export interface DriverLogger {
  log(severity: Severity, message: string, fields?: Readonly<Record<string, string>>): void;
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
}

/** Builds a logger from one `log` function. */
export function createLogger(log: DriverLogger["log"]): DriverLogger {
  return {
    log,
    debug: (message) => log("DEBUG", message),
    info: (message) => log("INFO", message),
    warning: (message) => log("WARNING", message),
    error: (message) => log("ERROR", message),
  };
}

/** A logger that drops everything (drivers not attached to a session). */
export const silentLogger: DriverLogger = createLogger(() => {});
