/**
 * @module
 * A small QMP (QEMU Machine Protocol) client over a unix socket: JSON objects, one per line. After the
 * greeting the client negotiates capabilities; then each `execute` is answered by a `return` or an `error`
 * carrying the same `id`, while asynchronous `event`s may arrive at any time.
 */
import { EventEmitter, once } from "node:events";
import { connect } from "node:net";
import type { Socket } from "node:net";
import { ConnectionError, JumpstarterError } from "@jumpstarter/core";

/** An asynchronous QMP event such as `SHUTDOWN` or `POWERDOWN`. */
export interface QmpEvent {
  readonly event: string;
  readonly data?: Record<string, unknown>;
  readonly timestamp?: { readonly seconds: number; readonly microseconds: number };
}

/** A command QEMU refused (`{"error": {"class", "desc"}}`). */
export class QmpCommandError extends JumpstarterError {
  readonly errorClass: string;

  constructor(command: string, errorClass: string, description: string) {
    super(`QMP ${command} failed: ${description} (${errorClass})`);
    this.errorClass = errorClass;
  }
}

interface Pending {
  readonly command: string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

/** A negotiated QMP session. Emits `event` ({@link QmpEvent}) and `close`. */
export class QmpClient extends EventEmitter<{ event: [QmpEvent]; close: [] }> {
  readonly #socket: Socket;
  readonly #pending = new Map<string, Pending>();
  #buffer = "";
  #nextId = 1;
  #closed = false;
  #greeting: ((message: Record<string, unknown>) => void) | undefined;

  private constructor(socket: Socket) {
    super();
    this.#socket = socket;
    socket.setEncoding("utf8");
    socket.on("data", (text: string) => this.#receive(text));
    socket.on("error", () => {});
    socket.on("close", () => this.#shutdown(new ConnectionError("QMP connection closed")));
  }

  /** Connects to the QMP socket at `path`, waits for the greeting and enters command mode. */
  static async connect(path: string): Promise<QmpClient> {
    const socket = connect(path);
    try {
      await once(socket, "connect");
    } catch (error) {
      socket.destroy();
      throw error;
    }
    const client = new QmpClient(socket);
    try {
      const greeting = await new Promise<Record<string, unknown>>((resolve, reject) => {
        client.#greeting = resolve;
        socket.once("close", () => reject(new ConnectionError(`QMP socket ${path} closed before the greeting`)));
      });
      if (!("QMP" in greeting)) throw new ConnectionError(`unexpected QMP greeting from ${path}: ${JSON.stringify(greeting)}`);
      await client.execute("qmp_capabilities");
      return client;
    } catch (error) {
      client.close();
      throw error;
    }
  }

  /** Whether the connection is still open. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Runs `command` and resolves with its `return` value. */
  execute(command: string, args?: Record<string, unknown>): Promise<unknown> {
    if (this.#closed) return Promise.reject(new ConnectionError(`QMP connection closed; cannot run ${command}`));
    const id = `jmp-${this.#nextId++}`;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { command, resolve, reject });
      this.#socket.write(`${JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), id })}\n`);
    });
  }

  /** Closes the connection; pending commands fail. */
  close(): void {
    this.#socket.destroy();
    this.#shutdown(new ConnectionError("QMP connection closed"));
  }

  #receive(text: string): void {
    this.#buffer += text;
    let newline: number;
    while ((newline = this.#buffer.indexOf("\n")) >= 0) {
      const line = this.#buffer.slice(0, newline).trim();
      this.#buffer = this.#buffer.slice(newline + 1);
      if (line.length === 0) continue;
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      this.#dispatch(message);
    }
  }

  #dispatch(message: Record<string, unknown>): void {
    if (this.#greeting) {
      const greeting = this.#greeting;
      this.#greeting = undefined;
      greeting(message);
      return;
    }
    if (typeof message["event"] === "string") {
      this.emit("event", message as unknown as QmpEvent);
      return;
    }
    const id = typeof message["id"] === "string" ? message["id"] : undefined;
    const pending = id !== undefined ? this.#pending.get(id) : undefined;
    if (!pending || id === undefined) return;
    this.#pending.delete(id);
    const error = message["error"] as { class?: string; desc?: string } | undefined;
    if (error) pending.reject(new QmpCommandError(pending.command, error.class ?? "GenericError", error.desc ?? "unknown error"));
    else pending.resolve(message["return"]);
  }

  #shutdown(error: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
    this.emit("close");
  }
}
