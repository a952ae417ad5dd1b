/**
 * @module
 * The client's local end of a lease (spec exporter §8): a unix socket where every accepted connection makes
 * its own Dial and is tunnelled through the router to the exporter's session. Dial is retried while the
 * exporter is getting ready (FAILED_PRECONDITION "not ready", UNAVAILABLE) up to the dial timeout.
 */
import { rm } from "node:fs/promises";
import type { Server, Socket } from "node:net";
import { createServer } from "node:net";
import { Code } from "@jumpstarter/core";
import type { DialResponse } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import { CliError } from "../errors.js";
import type { ControllerSession } from "./client-api.js";
import { backoff, codeOf, messageOf, sleep } from "./retry.js";
import type { Tunnel } from "./router-bridge.js";
import { openTunnel } from "./router-bridge.js";

/** Dials `leaseName`, retrying while the exporter is not ready yet, for at most `timeoutMs`. */
export async function dialWithRetry(session: ControllerSession, leaseName: string, timeoutMs: number, signal?: AbortSignal): Promise<DialResponse> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await session.dial(leaseName, { timeoutMs: Math.max(1000, deadline - Date.now()), ...(signal ? { signal } : {}) });
    } catch (error) {
      const code = codeOf(error);
      const text = messageOf(error);
      if (/permission denied/i.test(text)) {
        throw new CliError(`lease ${leaseName} is not held by this client any more (transferred or released): ${text}`, 1, { cause: error });
      }
      const retryable = code === Code.UNAVAILABLE || (code === Code.FAILED_PRECONDITION && /not ready/i.test(text));
      if (!retryable || Date.now() >= deadline || signal?.aborted) {
        throw new CliError(`cannot reach the exporter of lease ${leaseName}: ${text}`, 1, { cause: error });
      }
      await sleep(Math.min(backoff(attempt, 300, 2000), Math.max(0, deadline - Date.now())), signal);
    }
  }
}

/** Options of {@link listenForLease}. */
export interface LeaseListenerOptions {
  readonly session: ControllerSession;
  readonly leaseName: string;
  /** The unix socket path to serve. */
  readonly path: string;
  readonly dialTimeoutMs: number;
  /** Receives the reason when a connection could not be tunnelled. */
  readonly onError: (error: unknown) => void;
}

/** A running local listener. */
export interface LeaseListener {
  readonly path: string;
  /** The failure of the last dial, unless a later one succeeded (to explain a failed connection). */
  readonly lastError: unknown;
  close(): Promise<void>;
}

/** Serves `options.path`; each connection gets its own Dial and router tunnel. */
export async function listenForLease(options: LeaseListenerOptions): Promise<LeaseListener> {
  const stop = new AbortController();
  const tunnels = new Set<Tunnel>();
  const pending = new Set<Socket>();
  let lastError: unknown;
  const config = options.session.config;
  const server: Server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => {
    pending.add(socket);
    socket.on("error", () => socket.destroy());
    dialWithRetry(options.session, options.leaseName, options.dialTimeoutMs, stop.signal).then(
      (ticket) => {
        pending.delete(socket);
        lastError = undefined;
        if (stop.signal.aborted || socket.destroyed) return void socket.destroy();
        const tunnel = openTunnel({ endpoint: ticket.routerEndpoint, token: ticket.routerToken, tls: config.tls, grpcOptions: config.grpcOptions }, socket);
        socket.resume();
        tunnels.add(tunnel);
        void tunnel.done.finally(() => tunnels.delete(tunnel));
      },
      (error: unknown) => {
        pending.delete(socket);
        socket.destroy();
        if (stop.signal.aborted) return;
        lastError = error;
        options.onError(error);
      },
    );
  });
  await rm(options.path, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.path, () => {
      server.off("error", reject);
      resolve();
    });
  });
  let closed: Promise<void> | undefined;
  return {
    path: options.path,
    get lastError() {
      return lastError;
    },
    close: () =>
      (closed ??= (async () => {
        stop.abort();
        for (const socket of pending) socket.destroy();
        for (const tunnel of tunnels) tunnel.close();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await rm(options.path, { force: true });
      })()),
  };
}
