/**
 * @module
 * One virtual machine: its working directory (sockets and flashed images), its images, and the QEMU process
 * while it is powered on. The `Qemu` driver's children all act on the same `Machine`.
 */
import { EventEmitter } from "node:events";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { InvalidArgumentError } from "@jumpstarter/core";
import type { DriverLogger } from "@jumpstarter/core";
import type { BootFiles, HostPorts } from "./command-line.js";
import { qemuArguments } from "./command-line.js";
import type { QemuSettings } from "./config.js";
import { hostQemuArch } from "./config.js";
import { checkNoShrink, growDisk, inspectDisk, preconditionError } from "./disk.js";
import { findExecutable, kvmUsable, OutputTail, spawnTied } from "./host.js";
import type { TiedProcess } from "./host.js";
import { freePort, portFree, writeCidata } from "./guest-setup.js";
import type { Partition } from "./interface.js";
import { PARTITIONS } from "./interface.js";
import { QmpClient } from "./qmp.js";
import { parseSize } from "./size.js";

/** Debian package providing `qemu-system-<arch>`. */
const qemuPackages: Readonly<Record<string, string>> = { x86_64: "qemu-system-x86", i386: "qemu-system-x86", aarch64: "qemu-system-arm", arm: "qemu-system-arm" };

interface Running {
  readonly process: TiedProcess;
  readonly qmp: QmpClient;
  readonly exited: Promise<void>;
}

/** The state shared by the `Qemu` driver and its children. Emits `exit` when QEMU stops. */
export class Machine extends EventEmitter<{ exit: [] }> {
  readonly settings: QemuSettings;
  readonly workDir: string;
  readonly #ports = new Map<string, number>();
  readonly #log: () => DriverLogger;
  #running: Running | undefined;
  #lastShutdown: string | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  /** `log` returns the logger of the driver that owns the machine (the session replaces it). */
  constructor(settings: QemuSettings, log: () => DriverLogger) {
    super();
    this.settings = settings;
    for (const [name, forward] of Object.entries(settings.hostfwd)) if (forward.hostport !== 0) this.#ports.set(name, forward.hostport);
    this.#log = log;
    this.workDir = mkdtempSync(join(tmpdir(), `jumpstarter-qemu-${settings.hostname}-`));
  }

  get logger(): DriverLogger {
    return this.#log();
  }

  get qmpPath(): string {
    return join(this.workDir, "qmp");
  }

  get serialPath(): string {
    return join(this.workDir, "serial");
  }

  get vncPath(): string {
    return join(this.workDir, "vnc");
  }

  /** The exporter-side port of forwarded guest port `name` (chosen at the first power on when configured as 0). */
  hostPort(name: string): number | undefined {
    return this.#ports.get(name);
  }

  /** Why QEMU last shut down, as its SHUTDOWN event said (`guest-shutdown`, `host-signal`, …). */
  get lastShutdown(): string | undefined {
    return this.#lastShutdown;
  }

  /** Whether QEMU is running. */
  get running(): boolean {
    return this.#running !== undefined;
  }

  /** Process id of QEMU while it runs. */
  get pid(): number | undefined {
    return this.#running?.process.pid;
  }

  /**
   * Where image `partition` lives: the flashed copy in the working directory, or (with `useDefaults`, when
   * nothing was flashed) the configured default.
   */
  partitionPath(partition: string | null | undefined, useDefaults = false): string {
    const name = partition ?? "root";
    if (!(PARTITIONS as readonly string[]).includes(name)) {
      throw new InvalidArgumentError(`invalid partition name: ${name} (expected one of ${PARTITIONS.join(", ")})`);
    }
    const flashed = join(this.workDir, name);
    const fallback = this.settings.defaultPartitions[name];
    return useDefaults && !existsSync(flashed) && fallback !== undefined ? fallback : flashed;
  }

  /** Runs `task` (named `what` in debug logs) while nothing else changes the machine: power and flashing take turns. */
  exclusive<T>(what: string, task: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(() => {
      this.logger.debug(what);
      return task();
    });
    this.#queue = next.catch(() => {});
    return next;
  }

  /** Checks the size a disk may be set to against the current root image. */
  async checkDiskSize(size: string): Promise<void> {
    const bytes = parseSize(size);
    const root = this.partitionPath("root", true);
    if (existsSync(root)) checkNoShrink(await inspectDisk(root), bytes, size);
  }

  /** Starts QEMU; resolves once its QMP socket answers. */
  async start(): Promise<void> {
    if (this.#running) {
      this.logger.warning("already powered on, ignoring request");
      return;
    }
    const arch = this.settings.arch;
    const binary = findExecutable(`qemu-system-${arch}`);
    if (!binary) {
      const hint = qemuPackages[arch] ? ` (Debian package ${qemuPackages[arch]})` : "";
      throw preconditionError(`qemu-system-${arch} was not found on the exporter's PATH; install QEMU${hint}`);
    }
    const files = await this.#bootFiles();
    const kvm = this.settings.accel === "kvm" || (this.settings.accel === "auto" && kvmUsable(arch, hostQemuArch()));
    for (const socket of [this.qmpPath, this.serialPath, this.vncPath]) rmSync(socket, { force: true });
    const args = qemuArguments(this.settings, files, await this.#allocatePorts(), kvm);
    this.logger.info(`starting ${binary} (${kvm ? "KVM" : "TCG software emulation"}, ${this.settings.smp} CPUs, ${this.settings.mem})`);
    this.logger.debug(`${binary} ${args.join(" ")}`);
    const child = spawnTied(binary, args, { cwd: this.workDir, warn: (message) => this.logger.warning(message) });
    const stderr = new OutputTail(child.stderr);
    child.stdout.resume();
    let exitInfo: string | undefined;
    const exited = new Promise<void>((resolve) => {
      child.once("error", (error) => {
        exitInfo = error.message;
        resolve();
      });
      // "close" comes after the exit and after QEMU's last stderr bytes were read.
      child.once("close", (code, signal) => {
        exitInfo = signal ? `signal ${signal}` : `code ${code}`;
        resolve();
      });
    });
    const qmp = await this.#connectQmp(exited, () => exitInfo !== undefined).catch(async (error: unknown) => {
      child.kill("SIGKILL");
      await exited;
      const lines = stderr.lines();
      const detail = lines.length > 0 ? `:\n${lines.join("\n")}` : "";
      const reason = exitInfo !== undefined ? `QEMU exited (${exitInfo}) before it was ready` : `QEMU did not answer on QMP: ${String(error)}`;
      throw preconditionError(`${reason}${detail}`);
    });
    this.#lastShutdown = undefined;
    qmp.on("event", (event) => {
      if (event.event === "SHUTDOWN") this.#lastShutdown = String(event.data?.["reason"] ?? "unknown");
    });
    // QEMU's last QMP messages (the SHUTDOWN event) are read before the machine counts as stopped.
    const qmpClosed = qmp.closed ? Promise.resolve() : new Promise<void>((resolve) => qmp.once("close", () => resolve()));
    const stopped = exited.then(() => settlesWithin(qmpClosed, 1000)).then(() => {});
    const running: Running = { process: child, qmp, exited: stopped };
    this.#running = running;
    void stopped.then(() => {
      qmp.close();
      if (this.#running === running) this.#running = undefined;
      this.logger.info(`QEMU stopped (${exitInfo ?? "unknown"})`);
      const lines = stderr.lines(5).filter((line) => !line.includes("terminating on signal"));
      if (lines.length > 0) this.logger.debug(`QEMU stderr: ${lines.join(" | ")}`);
      this.emit("exit");
    });
  }

  /** Asks the guest to power down (ACPI), then stops QEMU if it has not within the shutdown timeout. */
  async stop(): Promise<void> {
    const running = this.#running;
    if (!running) {
      this.logger.warning("already powered off, ignoring request");
      return;
    }
    const timeout = this.settings.shutdownTimeoutMs;
    if (timeout > 0) {
      try {
        await running.qmp.execute("system_powerdown");
        if (await settlesWithin(running.exited, timeout)) return;
        this.logger.warning(`the guest did not power off within ${timeout / 1000} s; stopping QEMU`);
      } catch (error) {
        this.logger.warning(`system_powerdown failed (${String(error)}); stopping QEMU`);
      }
    }
    await this.kill();
  }

  /** Stops QEMU at once: quit (SIGTERM), then SIGKILL. */
  async kill(): Promise<void> {
    const running = this.#running;
    if (!running) return;
    running.process.kill("SIGTERM");
    if (!(await settlesWithin(running.exited, 3000))) running.process.kill("SIGKILL");
    await running.exited;
  }

  /** Stops QEMU and removes the working directory. */
  async dispose(): Promise<void> {
    await this.kill();
    await rm(this.workDir, { recursive: true, force: true });
  }

  /** Picks free ports for forwards configured with port 0, keeping earlier picks while they stay free. */
  async #allocatePorts(): Promise<HostPorts> {
    for (const [name, forward] of Object.entries(this.settings.hostfwd)) {
      if (forward.hostport !== 0) continue;
      const previous = this.#ports.get(name);
      this.#ports.set(name, previous !== undefined && (await portFree(forward.hostaddr, previous)) ? previous : await freePort(forward.hostaddr));
    }
    return Object.fromEntries(this.#ports);
  }

  async #connectQmp(exited: Promise<void>, hasExited: () => boolean): Promise<QmpClient> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (hasExited()) throw new Error("QEMU exited");
      try {
        return await QmpClient.connect(this.qmpPath);
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
      await Promise.race([sleep(50), exited]);
    }
  }

  async #bootFiles(): Promise<BootFiles> {
    const present = (partition: Partition): string | undefined => {
      const path = this.partitionPath(partition, true);
      return existsSync(path) ? path : undefined;
    };
    for (const partition of PARTITIONS) {
      const configured = this.settings.defaultPartitions[partition];
      if (configured !== undefined && !existsSync(this.partitionPath(partition)) && !existsSync(configured)) {
        throw preconditionError(`the ${partition} image ${configured} does not exist; build or flash it first`);
      }
    }
    const kernel = present("kernel");
    const initrd = present("initrd");
    if (initrd && !kernel) throw preconditionError("an initrd needs a kernel: configure kernel or flash the kernel partition");
    const code = present("OVMF_CODE.fd");
    const vars = present("OVMF_VARS.fd");
    const bios = present("bios");
    const rootPath = present("root");
    let root: BootFiles["root"];
    if (rootPath) {
      const info = await inspectDisk(rootPath);
      if (this.settings.diskSize) {
        const requested = parseSize(this.settings.diskSize);
        checkNoShrink(info, requested, this.settings.diskSize);
        if (requested > info.virtualSize) this.logger.info(`resizing the root disk to ${this.settings.diskSize}`);
        await growDisk(rootPath, info, requested);
      }
      root = { path: rootPath, format: info.format };
    }
    if (!kernel && !rootPath && !bios && !code) {
      throw preconditionError("nothing to boot: configure image_path or kernel, or flash the root or kernel partition");
    }
    return {
      qmp: this.qmpPath,
      serial: this.serialPath,
      vnc: this.vncPath,
      ...(kernel ? { kernel } : {}),
      ...(initrd ? { initrd } : {}),
      ...(bios ? { bios } : {}),
      ...(code && vars ? { ovmf: { code, vars } } : {}),
      ...(root ? { root } : {}),
      cidata: writeCidata(join(this.workDir, "cidata"), this.settings),
    };
  }
}

/** Whether `promise` settles within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const guard = new AbortController();
  try {
    return await Promise.race([promise.then(() => true), sleep(ms, false, { signal: guard.signal })]);
  } finally {
    guard.abort();
  }
}
