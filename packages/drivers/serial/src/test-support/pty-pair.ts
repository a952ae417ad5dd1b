/**
 * @module
 * Test support: a pseudo-terminal pair made by socat (`a` for the driver, `b` for the simulated device)
 * and an in-process handle on one end.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import { SerialPort } from "serialport";
import { PortStream } from "../port-stream.js";

/** Two linked ptys; bytes written to one end are read at the other. */
export interface PtyPair extends AsyncDisposable {
  readonly a: string;
  readonly b: string;
  readonly directory: string;
  readonly process: ChildProcess;
  close(): Promise<void>;
}

/** Starts `socat pty pty` and waits until both links exist. */
export async function createPtyPair(): Promise<PtyPair> {
  const directory = await mkdtemp(join(tmpdir(), "jmp-pty-"));
  const a = join(directory, "a");
  const b = join(directory, "b");
  const child = spawn("socat", ["-d", "-d", `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`socat did not start in 20 s: ${log}`)), 20_000);
      child.stderr!.setEncoding("utf8");
      child.stderr!.on("data", (text: string) => {
        log += text;
        if (log.includes("starting data transfer loop")) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`socat exited with ${code}: ${log}`));
      });
    });
  } catch (error) {
    child.kill();
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  child.stderr!.resume();
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, "exit");
        child.kill("SIGTERM");
        await exited;
      }
      await rm(directory, { recursive: true, force: true });
    })());
  return { a, b, directory, process: child, close, [Symbol.asyncDispose]: close };
}

/**
 * Opens a pty end in this process as a byte stream (the simulated device side). It goes through the
 * serialport bindings because Node's tty streams write synchronously, which would deadlock a test that
 * drives both ends from one event loop.
 */
export async function openPtyEnd(path: string): Promise<Duplex> {
  const port = await SerialPort.binding.open({ path, baudRate: 115200, lock: false });
  return new PortStream(port, path);
}

/** Reads from `stream` until `bytes` bytes arrived (or `predicate` holds), with a hang guard. */
export async function readUntil(stream: NodeJS.ReadableStream, predicate: (received: Buffer) => boolean, timeoutMs = 30_000): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = Buffer.alloc(0);
  return new Promise<Buffer>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`readUntil: gave up after ${timeoutMs} ms with ${total.length} bytes: ${JSON.stringify(total.subarray(-200).toString("latin1"))}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      total = Buffer.concat(chunks);
      if (predicate(total)) {
        cleanup();
        resolve(total);
      }
    };
    const onEnd = () => {
      cleanup();
      reject(new Error(`readUntil: stream ended with ${total.length} bytes: ${JSON.stringify(total.subarray(-200).toString("latin1"))}`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      stream.off("data", onData);
      stream.off("end", onEnd);
      stream.off("close", onEnd);
    };
    stream.on("data", onData);
    stream.on("end", onEnd);
    stream.on("close", onEnd);
  });
}
