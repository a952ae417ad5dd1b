/**
 * @module
 * A lab on loopback for the distributed end-to-end tests, made of the real binaries: `jmp-controller` (SQLite
 * file or PostgreSQL), `jmp admin` for identities and configs, `jmp run` exporters and `jmp` clients.
 * Not part of the package surface.
 */
import { once } from "node:events";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, stringify } from "yaml";
import { JMP_BIN, runCli, startCli, waitGone } from "../testing/spawn-cli.js";
import type { CliResult, RunningCli } from "../testing/spawn-cli.js";

/** The compiled controller binary. */
export const CONTROLLER_BIN = fileURLToPath(new URL("../../../controller/dist/bin/jmp-controller.js", import.meta.url));

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls `check` until it returns a value (not undefined), bounded by `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** How the lab's controller runs. */
export interface LabOptions {
  /** SQLite file path or `postgres://` URL; a SQLite file in the lab directory by default. */
  readonly database?: string;
  /** Serve routers as separate processes: the controller hands out this many router endpoints. */
  readonly separateRouter?: boolean;
  /** The token signing key seed (`CONTROLLER_KEY` of the controller and `jmp admin`; lets tests mint expired and forged tokens). */
  readonly controllerKey?: string;
}

/** An exporter config's drivers and hooks, as YAML values. */
export interface ExporterSetup {
  readonly labels: Readonly<Record<string, string>>;
  readonly export: Record<string, unknown>;
  readonly hooks?: Record<string, unknown>;
  readonly exitOnLeaseEnd?: boolean;
}

/** A running lab. */
export class Lab {
  readonly dir: string;
  readonly database: string;
  readonly env: NodeJS.ProcessEnv;
  readonly port: number;
  readonly routerPort: number | undefined;
  readonly controllerKey: string;
  controller: RunningCli | undefined;
  router: RunningCli | undefined;
  readonly #children = new Set<RunningCli>();

  private constructor(dir: string, options: LabOptions, port: number, routerPort: number | undefined) {
    this.dir = dir;
    this.database = options.database ?? join(dir, "state", "controller.db");
    this.port = port;
    this.routerPort = routerPort;
    this.controllerKey = options.controllerKey ?? "e2e-controller-key";
    const { JUMPSTARTER_HOST: _host, JMP_DRIVERS_ALLOW: _allow, JMP_NAMESPACE: _ns, JMP_NAME: _name, JMP_LEASE: _lease, SHELL: _shell, ...rest } = process.env;
    this.env = { ...rest, JMP_CLIENT_CONFIG_HOME: join(dir, "home"), XDG_RUNTIME_DIR: join(dir, "run"), CONTROLLER_KEY: this.controllerKey };
  }

  /** Creates the lab directory and starts the controller (and router). */
  static async start(options: LabOptions = {}): Promise<Lab> {
    const dir = await mkdtemp(join(tmpdir(), "jmp-e2e-lab-"));
    await mkdir(join(dir, "run"));
    await mkdir(join(dir, "state"));
    const lab = new Lab(dir, options, await freePort(), options.separateRouter ? await freePort() : undefined);
    if (lab.routerPort !== undefined) {
      await writeFile(join(dir, "routers.yaml"), stringify({ router: { "router-1": { endpoint: `127.0.0.1:${lab.routerPort}`, labels: {} } } }));
    }
    await lab.startController();
    if (lab.routerPort !== undefined) await lab.startRouter();
    return lab;
  }

  get endpoint(): string {
    return `127.0.0.1:${this.port}`;
  }

  #databaseArgs(): string[] {
    return ["--database", this.database, "--state-dir", join(this.dir, "state")];
  }

  /** Starts (or restarts) the controller on the lab's port. */
  async startController(): Promise<void> {
    const args = ["--listen", this.endpoint, ...this.#databaseArgs()];
    if (this.routerPort !== undefined) args.push("--router-listen", "none", "--config", join(this.dir, "routers.yaml"));
    this.controller = this.#spawn(CONTROLLER_BIN, args);
    await this.controller.waitFor(/controller serving/, 60_000);
  }

  /** Stops the controller (SIGTERM, or SIGKILL to simulate a crash). */
  async stopController(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    await this.#stop(this.controller, signal);
    this.controller = undefined;
  }

  /** Starts (or restarts) the separate router process. */
  async startRouter(): Promise<void> {
    const address = `127.0.0.1:${this.routerPort!}`;
    this.router = this.#spawn(CONTROLLER_BIN, ["router", "--listen", address, "--endpoint", address, ...this.#databaseArgs()]);
    await this.router.waitFor(/router serving/, 60_000);
  }

  async stopRouter(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    await this.#stop(this.router, signal);
    this.router = undefined;
  }

  #spawn(bin: string, args: readonly string[]): RunningCli {
    const child = startCli(bin, args, { env: this.env, timeoutMs: 900_000 });
    this.#children.add(child);
    void child.exited.then(() => this.#children.delete(child));
    return child;
  }

  async #stop(child: RunningCli | undefined, signal: NodeJS.Signals): Promise<void> {
    if (!child || child.child.exitCode !== null || child.child.signalCode !== null) return;
    child.child.kill(signal);
    await child.exited;
  }

  /** Runs `jmp ARGS` to completion in the lab's environment. */
  jmp(args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}, timeoutMs = 120_000): Promise<CliResult> {
    return runCli(JMP_BIN, args, { env: { ...this.env, ...extraEnv }, timeoutMs });
  }

  /** Starts `jmp ARGS` in the background (stopped by {@link close} at the latest). */
  spawnJmp(args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): RunningCli {
    const child = startCli(JMP_BIN, args, { env: { ...this.env, ...extraEnv }, timeoutMs: 600_000 });
    this.#children.add(child);
    void child.exited.then(() => this.#children.delete(child));
    return child;
  }

  /**
   * A leased `jmp shell` that runs `j power on`, then waits until {@link HeldShell.release} before `j power off`
   * (and `after`, when given); it prints `first=<code>` and `second=<code>`. Resolves once the first call is done.
   */
  async holdShell(clientConfig: string, selector: string, after = ""): Promise<HeldShell> {
    const flag = join(this.dir, `hold-${++this.#held}.flag`);
    const tail = after ? `; ${after}` : "";
    const shell = this.spawnJmp([
      "shell", "--client-config", clientConfig, "-l", selector, "--",
      "sh", "-c", `j power on; echo first=$?; while [ ! -e ${flag} ]; do sleep 0.1; done; j power off; echo second=$?${tail}`,
    ]);
    await shell.waitFor(/first=0/, 120_000);
    return { shell, release: () => writeFile(flag, "") };
  }

  #held = 0;

  /** `jmp admin ARGS` against the lab's database. */
  async admin(args: readonly string[]): Promise<CliResult> {
    const result = await this.jmp(["admin", ...args, ...this.#databaseArgs()]);
    if (result.code !== 0) throw new Error(`jmp admin ${args.join(" ")} failed (${result.code}): ${result.stderr}`);
    return result;
  }

  /** Creates a client with `jmp admin` and returns its ClientConfig file. */
  async createClient(name: string, options: { dialTimeout?: number } = {}): Promise<string> {
    const file = join(this.dir, `client-${name}.yaml`);
    await this.admin(["create", "client", name, "--unsafe", "--out", file]);
    if (options.dialTimeout !== undefined) {
      const document = parse(await readFile(file, "utf8")) as Record<string, unknown>;
      document["leases"] = { acquisition_timeout: 7200, dial_timeout: options.dialTimeout, retry_timeout: 300 };
      await writeFile(file, stringify(document), { mode: 0o600 });
    }
    return file;
  }

  /** Creates an exporter with `jmp admin` and returns its ExporterConfig file, with `setup`'s drivers. */
  async createExporter(name: string, setup: ExporterSetup): Promise<string> {
    const file = join(this.dir, `exporter-${name}.yaml`);
    const labels = Object.entries(setup.labels).flatMap(([key, value]) => ["-l", `${key}=${value}`]);
    await this.admin(["create", "exporter", name, ...labels, "--out", file]);
    const document = parse(await readFile(file, "utf8")) as Record<string, unknown>;
    document["export"] = setup.export;
    if (setup.hooks) document["hooks"] = setup.hooks;
    if (setup.exitOnLeaseEnd) document["exitOnLeaseEnd"] = true;
    await writeFile(file, stringify(document), { mode: 0o600 });
    return file;
  }

  /** Starts `jmp run --exporter-config FILE` and waits until it has registered. */
  async startExporter(file: string, extraArgs: readonly string[] = []): Promise<RunningCli> {
    const exporter = this.spawnJmp(["--log-level", "INFO", "--log-format", "text", "run", "--exporter-config", file, ...extraArgs]);
    await exporter.waitFor(/registered with/, 60_000);
    return exporter;
  }

  /** Stops every process still running and removes the lab directory. */
  async close(): Promise<void> {
    const children = [...this.#children];
    for (const child of children) if (child.child.exitCode === null && child.child.signalCode === null) child.child.kill("SIGTERM");
    for (const child of children) {
      if (child.child.pid !== undefined && !(await waitGone(child.child.pid, 15_000))) child.child.kill("SIGKILL");
      await child.exited;
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** A MockPower and a Shell driver, the exporters' devices. */
export const mockDevices: Record<string, unknown> = {
  power: { type: "jumpstarter_driver_power.driver.MockPower" },
  shell: {
    type: "jumpstarter_driver_shell.driver.Shell",
    config: { methods: { hello: "echo hello-from-shell" } },
  },
};

/** A shell from {@link DistributedLab.holdShell}. */
export interface HeldShell {
  readonly shell: RunningCli;
  /** Lets the shell go on to its second call. */
  release(): Promise<void>;
}
