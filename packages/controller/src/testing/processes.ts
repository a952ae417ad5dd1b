/**
 * @module
 * `jmp-controller` as a child process for tests: started, its announced address read from its log, stopped.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

/** Path of the compiled `jmp-controller` entry. */
export const JMP_CONTROLLER = fileURLToPath(new URL("../bin/jmp-controller.js", import.meta.url));

/** A running `jmp-controller` process. */
export interface ControllerChild extends AsyncDisposable {
  readonly child: ChildProcess;
  /** The bound address from the "serving … on <address>" log line. */
  readonly address: string;
  /** Everything written to stderr so far. */
  log(): string;
  /** SIGTERM, then waits for the exit code. */
  stop(): Promise<number | null>;
}

/** Runs `jmp-controller args…` and waits until it logs `serving … on <address>`. */
export async function startControllerProcess(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<ControllerChild> {
  const child = spawn(process.execPath, [JMP_CONTROLLER, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`jmp-controller did not start:\n${stderr}`)), 30_000);
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /serving (?:namespace \S+ )?on (\S+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`jmp-controller exited with ${code}:\n${stderr}`));
    });
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    return exited;
  };
  return { child, address, log: () => stderr, stop, [Symbol.asyncDispose]: async () => void (await stop()) };
}
