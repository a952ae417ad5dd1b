/**
 * @module
 * Running beforeLease / afterLease hooks (spec exporter §3): inline script or file, interpreter from `exec`
 * (or by extension, else `/bin/sh`), in a new session, with the session's hook socket as `JUMPSTARTER_HOST`
 * so the hook can use `j`. Every output line is reported; a timeout kills the whole process group.
 */
import { spawn } from "node:child_process";
import { statSync } from "node:fs";
import { basename, resolve } from "node:path";
import { createInterface } from "node:readline";
import type { HookConfig } from "../config/exporter-config.js";

/** Which hook. */
export type HookKind = "beforeLease" | "afterLease";

/** Where a hook runs. */
export interface HookContext {
  /** Directory a relative script path resolves against (the config file's). */
  readonly directory: string;
  /** Unix socket of the session the hook may drive with `j`. */
  readonly host: string;
  /** Directory with the `j` wrapper, put first on PATH. */
  readonly binDir?: string;
  readonly leaseName: string;
  readonly clientName: string;
  /** beforeLease only: file the hook may write a message of the day to. */
  readonly motdFile?: string;
  /** Receives each line of output. */
  readonly output: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

/** How a hook ended. */
export type HookResult = { readonly success: true } | { readonly success: false; readonly message: string };

function scriptFile(script: string, directory: string): string | undefined {
  if (script.includes("\n")) return undefined;
  const candidate = resolve(directory, script.trim());
  try {
    return statSync(candidate).isFile() ? candidate : undefined;
  } catch {
    return undefined;
  }
}

/** The argv that runs `hook`. */
export function hookCommand(hook: HookConfig, directory: string): string[] {
  const file = scriptFile(hook.script, directory);
  const interpreter =
    hook.exec ?? (file?.endsWith(".py") ? "python3" : file && /\.(m?js)$/.test(file) ? process.execPath : "/bin/sh");
  if (file) return [interpreter, file];
  const inlineFlag = /^node(js)?$/.test(basename(interpreter)) || interpreter === process.execPath ? "-e" : "-c";
  return [interpreter, inlineFlag, hook.script];
}

/** Runs `hook` to completion. */
export async function runHook(hook: HookConfig, context: HookContext): Promise<HookResult> {
  const argv = hookCommand(hook, context.directory);
  const { PS1: _prompt, ...base } = context.env ?? process.env;
  const env: NodeJS.ProcessEnv = {
    ...base,
    ...(context.binDir ? { PATH: `${context.binDir}:${base["PATH"] ?? "/usr/bin:/bin"}` } : {}),
    JUMPSTARTER_HOST: context.host,
    JMP_DRIVERS_ALLOW: "UNSAFE",
    _JMP_SUPPRESS_DRIVER_WARNINGS: "1",
    LEASE_NAME: context.leaseName,
    CLIENT_NAME: context.clientName,
    TERM: "dumb",
    DEBIAN_FRONTEND: "noninteractive",
    GIT_TERMINAL_PROMPT: "0",
    ...(context.motdFile ? { JMP_MOTD_FILE: context.motdFile } : {}),
  };
  const child = spawn(argv[0]!, argv.slice(1), { env, cwd: context.directory, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const closed = new Promise<void>((done) => child.once("close", () => done()));
  const lines = [createInterface({ input: child.stdout }), createInterface({ input: child.stderr })];
  for (const reader of lines) reader.on("line", (line) => context.output(line));
  let timedOut = false;
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // The group is already gone.
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup("SIGKILL");
  }, hook.timeout * 1000);
  try {
    const outcome = await new Promise<{ code: number | null; error?: Error }>((done) => {
      child.once("error", (error) => done({ code: null, error }));
      child.once("exit", (code) => done({ code }));
    });
    // Leftover background processes of the hook must not outlive it (nor hold its output open).
    killGroup("SIGKILL");
    if (!outcome.error) await Promise.race([closed, new Promise((done) => setTimeout(done, 2000).unref())]);
    if (timedOut) return { success: false, message: `Hook timed out after ${hook.timeout} seconds` };
    if (outcome.error) return { success: false, message: `Hook could not start: ${argv[0]}: ${outcome.error.message}` };
    if (outcome.code !== 0) return { success: false, message: `Hook failed with exit code ${outcome.code ?? "unknown"}` };
    return { success: true };
  } finally {
    clearTimeout(timer);
    for (const reader of lines) reader.close();
  }
}
