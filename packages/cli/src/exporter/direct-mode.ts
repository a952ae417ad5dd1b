/**
 * @module
 * Direct (standalone) mode (spec exporter §9): `jmp run --tls-grpc-listener [HOST:]PORT` or `--unix-socket
 * PATH`. One permanent session, served to clients without a controller, plus a private hook socket; the
 * beforeLease hook runs once at start and the afterLease hook once at shutdown, with the status transitions
 * of spec exporter §3.
 */
import { readFile, writeFile } from "node:fs/promises";
import { constants } from "node:os";
import { join } from "node:path";
import type { ServerTls, SessionServer, StatusMachine } from "@jumpstarter/core";
import { ExporterSession, ExporterStatus, listenSession, LogSource } from "@jumpstarter/core";
import type { HookConfig } from "../config/exporter-config.js";
import type { LoadedExporterConfig } from "../config/load.js";
import type { CliLogger } from "../log.js";
import { createRuntimeDir } from "../shell/runtime-dir.js";
import { buildDriverTree } from "./build-tree.js";
import { describeCloseFailure } from "./close-failure.js";
import type { HookKind } from "./hooks.js";
import { runHook } from "./hooks.js";
import { passphraseAuthorizer } from "./passphrase.js";
import { claimUnixSocket } from "./unix-socket.js";

/** Where the session is served. */
export type DirectListen =
  | { readonly kind: "tcp"; readonly host: string; readonly port: number; readonly tls?: ServerTls }
  | { readonly kind: "unix"; readonly path: string };

/** Options of {@link runDirect}. */
export interface DirectOptions {
  readonly listen: DirectListen;
  readonly passphrase?: string;
  readonly logger: CliLogger;
  /** Receives the bound address once clients can connect. */
  readonly onListening?: (address: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

/** A session whose message of the day can grow (a beforeLease hook may add to it). */
class DirectSession extends ExporterSession {
  extraMotd = "";

  override report(): ReturnType<ExporterSession["report"]> {
    const report = super.report();
    if (this.extraMotd) report.motd = report.motd ? `${report.motd}\n${this.extraMotd}` : this.extraMotd;
    return report;
  }
}

const stopSignals: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"];
const MOTD_LIMIT = 64 * 1024;

/** How a lifecycle hook ended: fine (or warned), failed with `endLease`, failed with `exit`. */
export type HookOutcome = "ok" | "failed" | "exit";

/** Runs one lifecycle hook with the status transitions and failure modes of spec exporter §3. */
export async function runLifecycleHook(
  kind: HookKind,
  hook: HookConfig,
  status: StatusMachine,
  run: (hook: HookConfig) => Promise<{ success: true } | { success: false; message: string }>,
  logger: CliLogger,
): Promise<HookOutcome> {
  const before = kind === "beforeLease";
  status.set(before ? ExporterStatus.BEFORE_LEASE_HOOK : ExporterStatus.AFTER_LEASE_HOOK, before ? "Running beforeLease hook" : "Running afterLease hooks");
  const result = await run(hook);
  const done = before ? ExporterStatus.LEASE_READY : ExporterStatus.AVAILABLE;
  if (result.success) {
    status.set(done, before ? "Ready for commands" : "Available for new lease");
    return "ok";
  }
  if (hook.onFailure === "warn") {
    logger.log("WARNING", status.set(done, `[HOOK_WARNING] ${kind} hook warning: ${result.message}`).message);
    return "ok";
  }
  const failed = before ? ExporterStatus.BEFORE_LEASE_HOOK_FAILED : ExporterStatus.AFTER_LEASE_HOOK_FAILED;
  if (hook.onFailure === "endLease") {
    logger.log("ERROR", status.set(failed, `${kind} hook failed (on_failure=endLease): ${result.message}`).message);
    return "failed";
  }
  logger.log("ERROR", status.set(failed, `${kind} hook failed (on_failure=exit, shutting down): ${result.message}`).message);
  status.set(ExporterStatus.OFFLINE, `Exporter shutting down due to ${kind} hook failure`);
  return "exit";
}

/** Serves `loaded` until a stop signal (or an `exit` hook failure); returns the exit code. */
export async function runDirect(loaded: LoadedExporterConfig, options: DirectOptions): Promise<number> {
  const { logger } = options;
  let stopSignal: NodeJS.Signals | undefined;
  let wake: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (wake = resolve));
  const onSignal = (signal: NodeJS.Signals) => {
    stopSignal ??= signal;
    logger.log("INFO", `received ${signal}, shutting down`);
    wake();
  };
  for (const signal of stopSignals) process.on(signal, onSignal);
  const runtime = await createRuntimeDir(options.env);
  const servers: SessionServer[] = [];
  let session: DirectSession | undefined;
  let code = 0;
  try {
    if (options.listen.kind === "unix") await claimUnixSocket(options.listen.path);
    const root = await buildDriverTree(loaded);
    session = new DirectSession({ root, ...(loaded.config.motd !== undefined ? { motd: loaded.config.motd } : {}) });
    const activeSession = session;
    // Driver operations are only logged while someone listens; at WARNING and above nothing would be printed.
    if (logger.level === "DEBUG" || logger.level === "INFO") {
      activeSession.logs.subscribe((record) => logger.record(record, LogSource[record.source]?.toLowerCase() ?? "system"));
    }
    servers.push(await listenSession(activeSession, { address: `unix:${runtime.socket}` }));
    const listen = options.listen;
    const server = await listenSession(activeSession, {
      address: listen.kind === "unix" ? `unix:${listen.path}` : `${listen.host}:${listen.port}`,
      ...(listen.kind === "tcp" && listen.tls ? { tls: listen.tls } : {}),
      ...(options.passphrase !== undefined ? { authorize: passphraseAuthorizer(options.passphrase) } : {}),
    });
    servers.push(server);
    process.stderr.write(`Exporter ${loaded.config.metadata.name} listening on ${server.address.replace(/^unix:/, "")}\n`);
    options.onListening?.(server.address);

    const hookRunner = (kind: HookKind, motdFile?: string) => (hook: HookConfig) =>
      runHook(hook, {
        directory: loaded.directory,
        host: runtime.socket,
        binDir: runtime.bin,
        leaseName: "direct",
        clientName: "",
        ...(motdFile ? { motdFile } : {}),
        ...(options.env ? { env: options.env } : {}),
        output: (line) => {
          const source = kind === "beforeLease" ? LogSource.BEFORE_LEASE_HOOK : LogSource.AFTER_LEASE_HOOK;
          activeSession.logs.publish({ severity: "INFO", message: line, source, timestamp: new Date(), fields: {} });
        },
      });

    let beforeOutcome: HookOutcome = "ok";
    const beforeHook = loaded.config.hooks.beforeLease;
    if (beforeHook) {
      const motdFile = join(runtime.path, "motd");
      await writeFile(motdFile, "");
      beforeOutcome = await runLifecycleHook("beforeLease", beforeHook, activeSession.status, hookRunner("beforeLease", motdFile), logger);
      activeSession.extraMotd = (await readFile(motdFile, "utf8").catch(() => "")).slice(0, MOTD_LIMIT).trimEnd();
    } else {
      activeSession.status.set(ExporterStatus.LEASE_READY, "Ready for commands");
    }
    if (beforeOutcome === "exit") code = 1;
    else {
      await stopped;
      const afterHook = loaded.config.hooks.afterLease;
      if (afterHook && beforeOutcome === "ok") {
        const outcome = await runLifecycleHook("afterLease", afterHook, activeSession.status, hookRunner("afterLease"), logger);
        if (outcome === "exit") code = 1;
      } else if (beforeOutcome === "ok") {
        activeSession.status.set(ExporterStatus.AVAILABLE, "Available for new lease");
      }
      if (code === 0 && stopSignal) code = 128 + constants.signals[stopSignal];
    }
  } finally {
    for (const server of servers.reverse()) await server.close();
    if (session) {
      try {
        await session.close();
      } catch (error) {
        process.stderr.write(`Error: ${describeCloseFailure(error)}\n`);
        if (code === 0) code = 1;
      }
    }
    await runtime.remove();
    for (const signal of stopSignals) process.off(signal, onSignal);
  }
  return code;
}
