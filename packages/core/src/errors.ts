/**
 * @module
 * The one error model of Jumpstarter: every failure that crosses the wire is a {@link JumpstarterError}
 * carrying a gRPC status code. {@link toStatus} (exporter side) and {@link fromStatus} (client side) are the
 * only two mappings, shared by unary calls, streaming calls and raw streams.
 */
import { status as Code } from "@grpc/grpc-js";

export { Code };

/** Names of gRPC status codes as grpc-python spells them (`NOT_FOUND`). */
export function codeName(code: Code): string {
  return Code[code] ?? `CODE_${code}`;
}

/** Base class of every error Jumpstarter raises or receives over the wire. */
export class JumpstarterError extends Error {
  /** gRPC status code this error travels as. */
  readonly code: Code;

  constructor(message: string, code: Code = Code.UNKNOWN, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  override get name(): string {
    return this.constructor.name;
  }

  /** Converts anything thrown into a JumpstarterError, choosing the status the reference exporter would. */
  static from(error: unknown): JumpstarterError {
    if (error instanceof JumpstarterError) return error;
    const code = statusOfThrown(error);
    const message = error instanceof Error ? error.message : String(error);
    return fromCode(code, message, error);
  }
}

/** The driver does not implement this operation (Python `NotImplementedError`). */
export class NotImplementedError extends JumpstarterError {
  constructor(message = "not implemented", options?: { cause?: unknown }) {
    super(message, Code.UNIMPLEMENTED, options);
  }
}

/** The arguments are not acceptable (Python `ValueError`). */
export class InvalidArgumentError extends JumpstarterError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, Code.INVALID_ARGUMENT, options);
  }
}

/** The operation did not finish in time (Python `TimeoutError`). */
export class DeadlineExceededError extends JumpstarterError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, Code.DEADLINE_EXCEEDED, options);
  }
}

/** A connection to a device or peer failed (Python `ConnectionError`). */
export class ConnectionError extends JumpstarterError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, Code.UNAVAILABLE, options);
  }
}

/** The method or driver does not exist. */
export class NotFoundError extends JumpstarterError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, Code.NOT_FOUND, options);
  }
}

/** The exporter is not in a state that accepts driver calls (status gating, `ExporterNotReady`). */
export class ExporterNotReadyError extends JumpstarterError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, Code.FAILED_PRECONDITION, options);
  }
}

/** A device-level I/O failure (Python plain `OSError`). */
export class InternalError extends JumpstarterError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, Code.INTERNAL, options);
  }
}

/** The call was cancelled by its caller. */
export class CancelledError extends JumpstarterError {
  constructor(message = "cancelled", options?: { cause?: unknown }) {
    super(message, Code.CANCELLED, options);
  }
}

type ErrorClass = new (message: string, options?: { cause?: unknown }) => JumpstarterError;

/** The single status ↔ error class table both directions use. */
const classByCode: ReadonlyMap<Code, ErrorClass> = new Map<Code, ErrorClass>([
  [Code.UNIMPLEMENTED, NotImplementedError],
  [Code.INVALID_ARGUMENT, InvalidArgumentError],
  [Code.DEADLINE_EXCEEDED, DeadlineExceededError],
  [Code.UNAVAILABLE, ConnectionError],
  [Code.NOT_FOUND, NotFoundError],
  [Code.FAILED_PRECONDITION, ExporterNotReadyError],
  [Code.INTERNAL, InternalError],
  [Code.CANCELLED, CancelledError],
]);

function fromCode(code: Code, message: string, cause?: unknown): JumpstarterError {
  const ErrorType = classByCode.get(code);
  return ErrorType ? new ErrorType(message, { cause }) : new JumpstarterError(message, code, { cause });
}

/** errno codes Python's `ConnectionError` family covers (BrokenPipe incl. ESHUTDOWN, Aborted, Refused, Reset). */
const connectionErrnos = new Set(["ECONNREFUSED", "ECONNRESET", "ECONNABORTED", "EPIPE", "ESHUTDOWN", "ERR_STREAM_PREMATURE_CLOSE"]);
const timeoutErrnos = new Set(["ETIMEDOUT", "ABORT_ERR_TIMEOUT"]);

/** A Node system error (Python `OSError`): an errno name plus the failing syscall or a numeric errno. */
function isSystemError(error: NodeJS.ErrnoException): boolean {
  return typeof error.code === "string" && (typeof error.syscall === "string" || typeof error.errno === "number");
}

function statusOfThrown(error: unknown): Code {
  if (!(error instanceof Error)) return Code.UNKNOWN;
  if (error.name === "TimeoutError") return Code.DEADLINE_EXCEEDED;
  if (error.name === "AbortError") return Code.CANCELLED;
  if (error.name === "ZodError" || error instanceof RangeError) return Code.INVALID_ARGUMENT;
  const errno = (error as NodeJS.ErrnoException).code;
  if (typeof errno === "string" && connectionErrnos.has(errno)) return Code.UNAVAILABLE;
  if (typeof errno === "string" && timeoutErrnos.has(errno)) return Code.DEADLINE_EXCEEDED;
  if (isSystemError(error)) return Code.INTERNAL;
  return Code.UNKNOWN;
}

/** A gRPC status as sent by the exporter: code plus details text. */
export interface StatusObject {
  readonly code: Code;
  readonly details: string;
}

/** Exporter side: the status a thrown value is sent as (spec driver-calls §3). */
export function toStatus(error: unknown): StatusObject {
  const jerror = JumpstarterError.from(error);
  return { code: jerror.code, details: jerror.message };
}

/** Where a failed status came from, for the client's error message. */
export interface CallSite {
  /** Driver method name, e.g. `on`. */
  readonly method?: string;
  /** `unary` messages follow the reference client: `DriverCall 'on' failed with gRPC NOT_FOUND: …`. */
  readonly kind?: "unary" | "streaming" | "stream";
}

/** Client side: the error a received status turns into. The inverse of {@link toStatus}. */
export function fromStatus(status: { code?: number; details?: string }, site: CallSite = {}): JumpstarterError {
  const code = (status.code ?? Code.UNKNOWN) as Code;
  const details = status.details ?? "";
  const message =
    site.kind === "unary" && site.method !== undefined
      ? `DriverCall '${site.method}' failed with gRPC ${codeName(code)}: ${details}`
      : details;
  return fromCode(code, message, status);
}
