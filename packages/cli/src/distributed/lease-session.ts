/**
 * @module
 * One lease on the exporter side (spec exporter §3 steps 5–6): a fresh driver tree and session on two private
 * unix sockets (clients through the router, hooks), the Listen stream whose every ListenResponse becomes one
 * tunnel from the router to the session socket, the beforeLease / afterLease hooks with the status machine,
 * and the release of the lease.
 */
import { readFile, writeFile } from "node:fs/promises";
import { createConnection } from "node:net";
import { join } from "node:path";
import type { SessionServer, StatusMachine } from "@jumpstarter/core";
import { ExporterSession, ExporterStatus, listenSession, LogSource } from "@jumpstarter/core";
import type { ListenResponse } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import { ControllerService } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import type { HookConfig } from "../config/exporter-config.js";
import type { LoadedExporterConfig } from "../config/load.js";
import { buildDriverTree } from "../exporter/build-tree.js";
import { describeCloseFailure } from "../exporter/close-failure.js";
import type { HookOutcome } from "../exporter/direct-mode.js";
import { runLifecycleHook } from "../exporter/direct-mode.js";
import type { HookKind } from "../exporter/hooks.js";
import { runHook } from "../exporter/hooks.js";
import type { CliLogger } from "../log.js";
import type { RuntimeDir } from "../shell/runtime-dir.js";
import { createRuntimeDir } from "../shell/runtime-dir.js";
import { messageOf, sleep } from "./retry.js";
import type { Tunnel } from "./router-bridge.js";
import { openTunnel } from "./router-bridge.js";
import type { RpcClient, TlsSettings } from "./rpc.js";

/** What a lease needs from its exporter. */
export interface LeaseDeps {
  readonly loaded: LoadedExporterConfig;
  /** The exporter's status machine, shared by every lease session. */
  readonly status: StatusMachine;
  /** Labels reported by GetReport. */
  readonly labels: Readonly<Record<string, string>>;
  /** A fresh controller client; the caller of this function closes it. */
  readonly controller: () => RpcClient;
  /** Asks the controller to end this lease. */
  readonly release: (leaseName: string) => Promise<void>;
  readonly logger: CliLogger;
  readonly env?: NodeJS.ProcessEnv;
}

/** A session whose message of the day grows by what the beforeLease hook wrote. */
class LeaseExporterSession extends ExporterSession {
  extraMotd = "";

  override report(): ReturnType<ExporterSession["report"]> {
    const report = super.report();
    if (this.extraMotd) report.motd = report.motd ? `${report.motd}\n${this.extraMotd}` : this.extraMotd;
    return report;
  }
}

const MOTD_LIMIT = 64 * 1024;
const MAX_WAITING_TICKETS = 10;

/** The exporter side of one lease. */
export class LeaseSession {
  readonly name: string;
  /** The client holding the lease (bare name), once the controller told it. */
  clientName: string;
  /** Set when a hook failed with `onFailure: exit`: the exporter stops after this lease. */
  exitRequested = false;
  readonly #deps: LeaseDeps;
  readonly #stop = new AbortController();
  readonly #tunnels = new Set<Tunnel>();
  readonly #servers: SessionServer[] = [];
  #runtime: RuntimeDir | undefined;
  #session: LeaseExporterSession | undefined;
  #waiting: ListenResponse[] = [];
  #ready = false;
  #before: HookOutcome = "ok";
  #started: Promise<void> = Promise.resolve();
  #ended: Promise<void> | undefined;
  #closed: Promise<void> | undefined;

  constructor(name: string, clientName: string, deps: LeaseDeps) {
    this.name = name;
    this.clientName = clientName;
    this.#deps = deps;
  }

  /** Builds the drivers and session, starts listening, runs the beforeLease hook in the background. */
  async open(): Promise<void> {
    const { loaded, status, logger } = this.#deps;
    logger.log("INFO", `lease ${this.name} started${this.clientName ? ` by ${this.clientName}` : ""}`);
    this.#runtime = await createRuntimeDir(this.#deps.env);
    try {
      const root = await buildDriverTree(loaded);
      this.#session = new LeaseExporterSession({
        root,
        status,
        labels: this.#deps.labels,
        ...(loaded.config.motd !== undefined ? { motd: loaded.config.motd } : {}),
        onEndSession: () => {
          void this.end();
          return { success: true, message: "Session end requested" };
        },
      });
      if (logger.level === "DEBUG" || logger.level === "INFO") {
        this.#session.logs.subscribe((record) => logger.record(record, LogSource[record.source]?.toLowerCase() ?? "system"));
      }
      this.#servers.push(await listenSession(this.#session, { address: `unix:${this.#runtime.socket}` }));
      this.#servers.push(await listenSession(this.#session, { address: `unix:${this.#hookSocket()}` }));
    } catch (error) {
      logger.log("ERROR", `lease ${this.name}: cannot start the drivers: ${messageOf(error)}`);
      this.#before = "failed";
      status.set(ExporterStatus.BEFORE_LEASE_HOOK_FAILED, `cannot start the drivers: ${messageOf(error)}`);
      this.#started = this.#releaseSoon();
      return;
    }
    void this.#listen();
    this.#started = this.#prepare();
  }

  #hookSocket(): string {
    return join(this.#runtime!.path, "hook-socket");
  }

  #hookRunner(kind: HookKind, motdFile?: string): (hook: HookConfig) => ReturnType<typeof runHook> {
    const session = this.#session!;
    return (hook) =>
      runHook(hook, {
        directory: this.#deps.loaded.directory,
        host: this.#hookSocket(),
        binDir: this.#runtime!.bin,
        leaseName: this.name,
        clientName: this.clientName,
        ...(motdFile ? { motdFile } : {}),
        ...(this.#deps.env ? { env: this.#deps.env } : {}),
        output: (line) => {
          const source = kind === "beforeLease" ? LogSource.BEFORE_LEASE_HOOK : LogSource.AFTER_LEASE_HOOK;
          session.logs.publish({ severity: "INFO", message: line, source, timestamp: new Date(), fields: {} });
        },
      });
  }

  async #prepare(): Promise<void> {
    const { loaded, status, logger } = this.#deps;
    const hook = loaded.config.hooks.beforeLease;
    if (hook) {
      const motdFile = join(this.#runtime!.path, "motd");
      await writeFile(motdFile, "");
      this.#before = await runLifecycleHook("beforeLease", hook, status, this.#hookRunner("beforeLease", motdFile), logger);
      this.#session!.extraMotd = (await readFile(motdFile, "utf8").catch(() => "")).slice(0, MOTD_LIMIT).trimEnd();
    } else {
      status.set(ExporterStatus.LEASE_READY, "Ready for commands");
    }
    if (this.#before === "exit") this.exitRequested = true;
    if (this.#before === "failed") await this.#releaseSoon();
    if (this.#before !== "ok") return;
    this.#ready = true;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const ticket of waiting) this.#tunnel(ticket);
  }

  async #releaseSoon(): Promise<void> {
    await sleep(1000, this.#stop.signal);
    if (!this.#stop.signal.aborted) await this.#release();
  }

  async #release(): Promise<void> {
    try {
      await this.#deps.release(this.name);
    } catch (error) {
      this.#deps.logger.log("WARNING", `cannot release lease ${this.name}: ${messageOf(error)}`);
    }
  }

  /** Listen for the lease; reconnects while the lease lasts (the controller may restart meanwhile). */
  async #listen(): Promise<void> {
    const signal = this.#stop.signal;
    let failures = 0;
    while (!signal.aborted) {
      const client = this.#deps.controller();
      try {
        for await (const ticket of client.serverStream(ControllerService.method.listen, { leaseName: this.name }, { signal })) {
          failures = 0;
          if (this.#ready) this.#tunnel(ticket);
          else if (this.#before === "ok") {
            this.#waiting.push(ticket);
            if (this.#waiting.length > MAX_WAITING_TICKETS) this.#waiting.shift();
          }
        }
      } catch (error) {
        if (!signal.aborted) this.#deps.logger.log(failures > 0 ? "DEBUG" : "WARNING", `Listen on lease ${this.name} failed: ${messageOf(error)}`);
      } finally {
        client.close();
      }
      failures++;
      await sleep(failures <= 5 ? 500 : 2000, signal);
    }
  }

  #tunnel(ticket: ListenResponse): void {
    if (this.#stop.signal.aborted || !this.#runtime) return;
    const { loaded } = this.#deps;
    const socket = createConnection(this.#runtime.socket);
    const tunnel = openTunnel(
      { endpoint: ticket.routerEndpoint, token: ticket.routerToken, tls: loaded.config.tls as TlsSettings, grpcOptions: loaded.config.grpcOptions },
      socket,
    );
    this.#tunnels.add(tunnel);
    void tunnel.done.finally(() => this.#tunnels.delete(tunnel));
  }

  /**
   * Ends the lease on this side (once): the afterLease hook when a client held it, then the release. Called
   * for the client's EndSession and for the controller's `leased=false`.
   */
  end(): Promise<void> {
    return (this.#ended ??= this.#finish());
  }

  async #finish(): Promise<void> {
    await this.#started;
    const { loaded, status, logger } = this.#deps;
    if (this.#before !== "ok") return;
    const hook = loaded.config.hooks.afterLease;
    if (!hook || !this.clientName || !this.#session) {
      status.set(ExporterStatus.AVAILABLE, "Available for new lease");
      return;
    }
    const outcome = await runLifecycleHook("afterLease", hook, status, this.#hookRunner("afterLease"), logger);
    if (outcome === "exit") {
      this.exitRequested = true;
      return;
    }
    await sleep(1000, this.#stop.signal);
    await this.#release();
    if (outcome === "ok") status.set(ExporterStatus.AVAILABLE, "Exporter available after lease release");
  }

  /** Tears the lease down: tunnels, sockets, session, drivers, the private directory. */
  close(): Promise<void> {
    return (this.#closed ??= this.#teardown());
  }

  async #teardown(): Promise<void> {
    this.#stop.abort();
    for (const tunnel of this.#tunnels) tunnel.close();
    for (const server of this.#servers.reverse()) await server.close();
    if (this.#session) {
      try {
        await this.#session.close();
      } catch (error) {
        this.#deps.logger.log("ERROR", describeCloseFailure(error));
      }
    }
    await this.#runtime?.remove();
    const { status } = this.#deps;
    const current = status.current.status;
    if (!this.exitRequested && current !== ExporterStatus.AVAILABLE && current !== ExporterStatus.OFFLINE) {
      status.set(ExporterStatus.AVAILABLE, "Available for new lease");
    }
    this.#deps.logger.log("INFO", `lease ${this.name} ended`);
  }
}
