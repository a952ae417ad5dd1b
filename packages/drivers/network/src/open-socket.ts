/**
 * @module
 * Opening a stream socket for a driver's `connect`, with failures turned into readable errors that keep
 * the reference status mapping (refused/reset → UNAVAILABLE, timeouts → DEADLINE_EXCEEDED, other OS
 * errors → INTERNAL).
 */
import { once } from "node:events";
import { connect } from "node:net";
import type { NetConnectOpts, Socket } from "node:net";
import { Code, ConnectionError, JumpstarterError, callSignal } from "@jumpstarter/core";

const reasons: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset by peer",
  ETIMEDOUT: "connection timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ENOTFOUND: "host name not found",
  EAI_AGAIN: "host name lookup failed temporarily",
  ENOENT: "no such socket file",
  EACCES: "permission denied",
};

/** The error a failed connection attempt to `target` (a URL or path) is reported as. */
export function connectFailure(target: string, error: unknown): JumpstarterError {
  const mapped = JumpstarterError.from(error);
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason = errno !== undefined && reasons[errno] !== undefined ? `${reasons[errno]} (${errno})` : mapped.message;
  const message = `cannot connect to ${target}: ${reason}`;
  if (mapped.code === Code.UNAVAILABLE) return new ConnectionError(message, { cause: error });
  return new JumpstarterError(message, mapped.code, { cause: error });
}

/**
 * Connects a TCP or unix socket. Both directions close independently (`allowHalfOpen`), so a relay
 * forwards half-closes faithfully. Aborting `signal` (by default the signal of the call being served)
 * gives up the attempt.
 */
export async function openSocket(options: NetConnectOpts, target: string, signal: AbortSignal = callSignal()): Promise<Socket> {
  const socket = connect({ ...options, allowHalfOpen: true });
  try {
    await once(socket, "connect", { signal });
    return socket;
  } catch (error) {
    socket.destroy();
    throw connectFailure(target, error);
  }
}
