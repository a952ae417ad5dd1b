/**
 * @module
 * The bench's handle on one server process: start it, read its CPU counter, stop it.
 */
import { fork } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { ServerMessage, ServerRequest, TargetKind } from "./workload.js";

const entry = new URL("./server-process.js", import.meta.url);

/** A running server process. */
export interface ServerHandle {
  readonly kind: TargetKind;
  readonly address: string;
  /** The process's total CPU time so far, in µs. */
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts a `kind` server listening on a socket inside `directory`. */
export async function startServer(kind: TargetKind, directory: string): Promise<ServerHandle> {
  const child: ChildProcess = fork(entry, [kind, `unix:${join(directory, `${kind}.sock`)}`], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    execArgv: [],
  });
  const waiting = new Map<number, (micros: number) => void>();
  let nextId = 0;
  const address = await new Promise<string>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`${kind} server exited with code ${code}`)));
    child.on("message", (message: ServerMessage) => {
      if (message.type === "ready") resolve(message.address);
      else if (message.type === "error") reject(new Error(`${kind} server: ${message.message}`));
      else {
        waiting.get(message.id)?.(message.micros);
        waiting.delete(message.id);
      }
    });
  });
  const request = (message: ServerRequest) => child.send(message);
  return {
    kind,
    address,
    cpuMicros: () =>
      new Promise<number>((resolve) => {
        const id = nextId++;
        waiting.set(id, resolve);
        request({ type: "cpu", id });
      }),
    async stop() {
      if (child.exitCode !== null) return;
      child.removeAllListeners("exit");
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      request({ type: "exit" });
      const timer = setTimeout(() => child.kill(), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
