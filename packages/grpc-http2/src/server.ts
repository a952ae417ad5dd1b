/**
 * @module
 * A gRPC server on {@link Http2ServerConnection}: grpc-js service definitions and handlers in, a unix socket
 * or a TCP port (plaintext or TLS) out.
 */
import { rm } from "node:fs/promises";
import * as net from "node:net";
import * as tls from "node:tls";
import type { MethodDefinition, ServiceDefinition } from "@grpc/grpc-js";
import { Metadata, status as Status } from "@grpc/grpc-js";
import type { CallCodec, CallOptions, CallStatus } from "./calls.js";
import { BidiCall, ServerStreamCall, UnaryCall } from "./calls.js";
import type { ConnectionLimits, Http2Stream } from "./connection.js";
import { Http2ServerConnection } from "./connection.js";
import { ErrorCode } from "./frames.js";
import { encodeGrpcMessage, parseGrpcTimeout } from "./messages.js";
import { addMetadataField } from "./metadata.js";

/** Options of a {@link GrpcServer}. */
export interface GrpcServerOptions {
  /** Receive window of each stream; default 4 MiB. */
  readonly streamWindow?: number;
  /** Receive window of each connection; default 16 MiB. */
  readonly connectionWindow?: number;
  /** Largest request message; default 64 MiB. Larger ones fail with RESOURCE_EXHAUSTED. */
  readonly maxReceiveMessageLength?: number;
  /** Streams open at once per connection; default 1000. */
  readonly maxConcurrentStreams?: number;
  /** Largest request header list; default 64 KiB. */
  readonly maxHeaderListSize?: number;
}

/** TLS material for a TCP listener (PEM). */
export interface GrpcServerTls {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  /** When set, clients must present a certificate signed by this CA. */
  readonly clientCa?: string | Buffer;
}

type Handler = (...args: never[]) => void;

interface Route {
  readonly kind: "unary" | "server" | "bidi" | "client";
  readonly codec: CallCodec;
  readonly handler: Handler;
}

/** Headers that are HTTP/2 or gRPC framing, not call metadata. */
const reservedHeaders = new Set(["content-type", "te", "grpc-timeout", "grpc-encoding", "grpc-accept-encoding", "connection", "host"]);

/** Serves grpc-js service implementations over this package's own HTTP/2 connections. */
export class GrpcServer {
  readonly #routes = new Map<string, Route>();
  readonly #limits: ConnectionLimits;
  readonly #maxReceiveMessageLength: number;
  readonly #listeners: net.Server[] = [];
  readonly #connections = new Set<Http2ServerConnection>();
  readonly #socketPaths: string[] = [];

  constructor(options: GrpcServerOptions = {}) {
    this.#limits = {
      streamWindow: options.streamWindow ?? 4 * 1024 * 1024,
      connectionWindow: options.connectionWindow ?? 16 * 1024 * 1024,
      maxHeaderListSize: options.maxHeaderListSize ?? 64 * 1024,
      maxConcurrentStreams: options.maxConcurrentStreams ?? 1000,
    };
    this.#maxReceiveMessageLength = options.maxReceiveMessageLength ?? 64 * 1024 * 1024;
  }

  /** Registers the handlers of `service` (method names as grpc-js expects them, e.g. `driverCall`). */
  addService(service: ServiceDefinition, implementation: Readonly<Record<string, Handler>>): void {
    for (const [name, definition] of Object.entries(service) as Array<[string, MethodDefinition<unknown, unknown>]>) {
      const handler = implementation[name] ?? implementation[definition.originalName ?? ""];
      if (!handler) continue;
      const kind = definition.requestStream ? (definition.responseStream ? "bidi" : "client") : definition.responseStream ? "server" : "unary";
      this.#routes.set(definition.path, {
        kind,
        handler,
        codec: {
          deserialize: definition.requestDeserialize,
          deserializeParts: (definition as { requestDeserializeParts?: (parts: readonly Buffer[]) => unknown }).requestDeserializeParts,
          serialize: definition.responseSerialize as (message: unknown) => Buffer,
          serializeParts: (definition as { responseSerializeParts?: (message: unknown) => readonly Uint8Array[] }).responseSerializeParts,
        },
      });
    }
  }

  /**
   * Listens on `address`: `unix:/path`, or `host:port` (port 0 picks one; `[v6]:port` for IPv6). Resolves with
   * the bound address (`unix:/path` or `host:port` with the real port).
   */
  async listen(address: string, secure?: GrpcServerTls): Promise<string> {
    const onSocket = (socket: net.Socket) => this.#accept(socket);
    let server: net.Server;
    if (secure) {
      server = tls.createServer(
        {
          cert: secure.cert,
          key: secure.key,
          ALPNProtocols: ["h2"],
          ...(secure.clientCa !== undefined ? { ca: secure.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
        },
        onSocket,
      );
      server.on("tlsClientError", () => {});
    } else {
      server = net.createServer(onSocket);
    }
    server.on("error", () => {});
    const unix = address.startsWith("unix:") ? address.slice("unix:".length) : undefined;
    await new Promise<void>((resolve, reject) => {
      const fail = (error: Error) => reject(error);
      server.once("error", fail);
      const bound = () => {
        server.off("error", fail);
        resolve();
      };
      if (unix !== undefined) server.listen(unix, bound);
      else {
        const { host, port } = splitHostPort(address);
        server.listen({ host, port }, bound);
      }
    });
    this.#listeners.push(server);
    if (unix !== undefined) {
      this.#socketPaths.push(unix);
      return address;
    }
    const { host } = splitHostPort(address);
    const port = (server.address() as net.AddressInfo).port;
    return `${host.includes(":") ? `[${host}]` : host}:${port}`;
  }

  /**
   * Stops listening and closes every connection. With `graceMs`, connections are first told to go away (GOAWAY)
   * and calls in flight get that long to finish, and what they already sent to reach the client; then, or at
   * once without it, every call left is reset.
   */
  async close(graceMs = 0): Promise<void> {
    const closing = this.#listeners.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
    const gone = [...this.#connections].map((connection) => new Promise<void>((resolve) => connection.onClose(resolve)));
    if (graceMs > 0) await this.#drain(graceMs);
    for (const connection of this.#connections) connection.destroy();
    await Promise.all([...closing, ...gone]);
    for (const path of this.#socketPaths.splice(0)) await rm(path, { force: true });
  }

  /** Sends GOAWAY everywhere and waits until no call is open, or `graceMs` passed. */
  async #drain(graceMs: number): Promise<void> {
    for (const connection of this.#connections) connection.goAway();
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && [...this.#connections].some((connection) => connection.openStreams > 0)) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  #accept(socket: net.Socket): void {
    if (socket instanceof tls.TLSSocket && socket.alpnProtocol !== "h2") {
      socket.destroy();
      return;
    }
    const peer = socket.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort ?? 0}` : "unix:";
    const connection = new Http2ServerConnection(socket, this.#limits, (stream, headers) => this.#route(stream, headers, peer));
    this.#connections.add(connection);
    connection.onClose(() => this.#connections.delete(connection));
  }

  #route(stream: Http2Stream, headers: Array<[string, string]>, peer: string): void {
    let method = "";
    let path = "";
    let contentType = "";
    let timeout: string | undefined;
    let encoding: string | undefined;
    const metadata = new Metadata();
    for (const [name, value] of headers) {
      if (name.charCodeAt(0) === 0x3a) {
        if (name === ":method") method = value;
        else if (name === ":path") path = value;
        continue;
      }
      if (name === "content-type") contentType = value;
      else if (name === "grpc-timeout") timeout = value;
      else if (name === "grpc-encoding") encoding = value;
      if (!reservedHeaders.has(name)) addMetadataField(metadata, name, value);
    }
    // HTTP-level refusals: not a gRPC request.
    if (method !== "POST") return stream.refuse([[":status", "405"]]);
    if (!contentType.startsWith("application/grpc")) return stream.refuse([[":status", "415"]]);
    const route = this.#routes.get(path);
    if (!route || route.kind === "client") {
      return failEarly(stream, Status.UNIMPLEMENTED, `The server does not implement the method ${path}`);
    }
    let deadline: number | undefined;
    if (timeout !== undefined) {
      const ms = parseGrpcTimeout(timeout);
      if (ms === undefined) return failEarly(stream, Status.INTERNAL, `Invalid grpc-timeout value "${timeout}"`);
      deadline = Date.now() + ms;
    }
    const options: CallOptions = { path, metadata, encoding, deadline, maxReceiveMessageLength: this.#maxReceiveMessageLength, peer };
    if (route.kind === "unary") UnaryCall.serve(stream, options, route.codec, route.handler as Parameters<typeof UnaryCall.serve>[3]);
    else if (route.kind === "server") ServerStreamCall.serve(stream, options, route.codec, route.handler as (call: ServerStreamCall) => void);
    else BidiCall.serve(stream, options, route.codec, route.handler as (call: BidiCall) => void);
  }
}

function splitHostPort(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(":");
  if (colon < 0) throw new Error(`listen address "${address}" has no port (host:port or unix:/path)`);
  let host = address.slice(0, colon);
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  const port = Number(address.slice(colon + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`listen address "${address}" has a bad port`);
  return { host: host === "" ? "0.0.0.0" : host, port };
}

/** A trailers-only gRPC error before any handler ran. */
function failEarly(stream: Http2Stream, code: number, details: string): void {
  stream.refuse([
    [":status", "200"],
    ["content-type", "application/grpc"],
    ["grpc-status", String(code)],
    ["grpc-message", encodeGrpcMessage(details)],
  ]);
}

export type { CallStatus };
export { ErrorCode };
