/**
 * @module
 * Test support: a child process whose output is collected and can be waited on.
 */
import { spawn } from "node:child_process";
import type { ChildProcess, SpawnOptions } from "node:child_process";
import { once } from "node:events";

/** A running child with its collected output. */
export interface Watched {
  readonly child: ChildProcess;
  /** stdout and stderr so far, in arrival order. */
  output(): string;
  /** Resolves once `pattern` appears in the output (rejects on exit or after `timeoutMs`). */
  waitFor(pattern: string | RegExp, timeoutMs?: number): Promise<RegExpMatchArray | string>;
  /** Resolves with the exit code (or 128 + signal number style name) once the child exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(): Promise<void>;
}

/** Spawns `command` with piped stdio and collects its output. */
export function watch(command: string, args: readonly string[], options: SpawnOptions = {}): Watched {
  const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"], ...options });
  let text = "";
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString("latin1");
    for (const wake of [...waiters]) wake();
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = once(child, "exit").then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  let done = false;
  void exited.then(() => {
    done = true;
    for (const wake of [...waiters]) wake();
  });
  const waitFor = (pattern: string | RegExp, timeoutMs = 30_000) =>
    new Promise<RegExpMatchArray | string>((resolve, reject) => {
      const check = () => {
        const found = typeof pattern === "string" ? (text.includes(pattern) ? pattern : null) : text.match(pattern);
        if (found) {
          finish();
          resolve(found);
        } else if (done) {
          finish();
          reject(new Error(`process exited before ${String(pattern)} appeared; output:\n${text}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`${String(pattern)} did not appear in ${timeoutMs} ms; output:\n${text}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGKILL");
    await exited;
  };
  return { child, output: () => text, waitFor, exited, kill };
}
