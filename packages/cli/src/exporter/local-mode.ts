/**
 * @module
 * Local mode (spec exporter §6): `jmp shell --exporter-config FILE`. The driver tree runs inside jmp on a
 * private unix socket; the user's shell (or one command) gets `JUMPSTARTER_HOST` and talks to it with `j`.
 */
import { ExporterSession, ExporterStatus, listenSession } from "@jumpstarter/core";
import type { SessionServer } from "@jumpstarter/core";
import type { LoadedExporterConfig } from "../config/load.js";
import { CliError } from "../errors.js";
import { launchShell } from "../shell/launch.js";
import { createRuntimeDir } from "../shell/runtime-dir.js";
import { buildDriverTree } from "./build-tree.js";
import { describeCloseFailure } from "./close-failure.js";

/** Options of {@link runLocalShell}. */
export interface LocalShellOptions {
  /** Command to run instead of an interactive shell. */
  readonly command?: readonly string[];
  /** Where warnings and cleanup errors go (one line each). */
  readonly warn: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

const handled: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** Serves `loaded` locally, runs the shell or command, cleans up, and returns the exit code. */
export async function runLocalShell(loaded: LoadedExporterConfig, options: LocalShellOptions): Promise<number> {
  const env = options.env ?? process.env;
  let interrupted: NodeJS.Signals | undefined;
  // Until the child runs (and while cleaning up) a signal must not kill jmp before the socket is removed.
  const remember = (signal: NodeJS.Signals) => {
    interrupted ??= signal;
  };
  for (const signal of handled) process.on(signal, remember);
  const dir = await createRuntimeDir(env);
  let session: ExporterSession | undefined;
  let server: SessionServer | undefined;
  let code = 1;
  try {
    const root = await buildDriverTree(loaded);
    session = new ExporterSession({ root, ...(loaded.config.motd !== undefined ? { motd: loaded.config.motd } : {}) });
    session.status.set(ExporterStatus.LEASE_READY);
    server = await listenSession(session, { address: `unix:${dir.socket}` });
    if (interrupted) throw new CliError(`interrupted by ${interrupted}`, 2);
    const interactive = !options.command || options.command.length === 0;
    if (interactive && loaded.config.motd) process.stdout.write(loaded.config.motd.endsWith("\n") ? loaded.config.motd : `${loaded.config.motd}\n`);
    code = await launchShell({
      env: {
        ...env,
        PATH: `${dir.bin}:${env["PATH"] ?? "/usr/bin:/bin"}`,
        JUMPSTARTER_HOST: dir.socket,
        JMP_DRIVERS_ALLOW: "UNSAFE",
        _JMP_SUPPRESS_DRIVER_WARNINGS: "1",
      },
      ...(options.command ? { command: options.command } : {}),
      context: "local",
    });
  } finally {
    await server?.close();
    if (session) {
      try {
        await session.close();
      } catch (error) {
        options.warn(describeCloseFailure(error));
        if (code === 0) code = 1;
      }
    }
    await dir.remove();
    for (const signal of handled) process.off(signal, remember);
  }
  return code;
}
