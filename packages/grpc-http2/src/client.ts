/**
 * @module
 * A gRPC client on {@link Http2ClientConnection}: unary, server-streaming and bidi-streaming calls, all on
 * one connection per target (as the reference client's channel), which matters when that connection is a
 * router tunnel that costs a Dial.
 *
 * grpc-js copies every message it sends once more to put the 5-byte prefix in front, and hands received bytes
 * through Node's HTTP/2, which copies them again. Here a message goes out as its prefix and its own pieces, and
 * a received message is the list of views of the socket reads it arrived in. Calls are shaped like grpc-js's
 * `ClientDuplexStream` (`metadata`, `status` and `error` events, `cancel()`), so code written for one runs on
 * the other.
 */
import type * as net from "node:net";
import { Duplex } from "node:stream";
import { Metadata, status as Status } from "@grpc/grpc-js";
import type { ServiceError, StatusObject } from "@grpc/grpc-js";
import type { ClientTlsOptions, Endpoint } from "./connect.js";
import { beforeTimeout, connectSocket, parseAddress, parseProxy, proxyFromEnv } from "./connect.js";
import type { ConnectionLimits, Http2Stream } from "./connection.js";
import { Http2ClientConnection } from "./connection.js";
import { ErrorCode } from "./frames.js";
import type { ReceivedMessage } from "./messages.js";
import { MessageReader, MessageTooLargeError, decodeGrpcMessage, decompress, formatGrpcTimeout, frameMessage, joined } from "./messages.js";
import { addMetadataField, metadataFields } from "./metadata.js";

/** TLS settings of a {@link GrpcClient} (PEM). */
export type GrpcClientTls = ClientTlsOptions;

/** Options of a {@link GrpcClient}. */
export interface GrpcClientOptions {
  /** `unix:/path`, `unix:///path`, an absolute socket path, `host:port`, `[v6]:port` or `dns:[///]host:port`. */
  readonly address: string;
  /** TLS for TCP targets; plaintext when omitted (unix sockets are always plaintext). */
  readonly tls?: GrpcClientTls;
  /** Receive window of each call; default 8 MiB. */
  readonly streamWindow?: number;
  /** Receive window of the connection; default 16 MiB. */
  readonly connectionWindow?: number;
  /** Largest response message; default unlimited (as the byte streams need). */
  readonly maxReceiveMessageLength?: number;
  /** PING interval (while calls are open, unless {@link keepaliveWithoutCalls}); default 20 s, 0 turns it off. */
  readonly keepaliveMs?: number;
  /** How long a PING may go unanswered before the connection is dropped; default 20 s. */
  readonly keepaliveTimeoutMs?: number;
  /** Ping an idle connection too (no call open), as the reference client does; default false. */
  readonly keepaliveWithoutCalls?: boolean;
  /** How long connecting may take; default 20 s. */
  readonly connectTimeoutMs?: number;
  /**
   * HTTP proxy for a TCP target (`http://[user:password@]host:port`), `false` for none; by default the one the
   * environment names, as gRPC finds it (`grpc_proxy`, `https_proxy`, `http_proxy`; `no_grpc_proxy`, `no_proxy`).
   */
  readonly proxy?: string | false;
}

/** How a call turns messages into bytes and back. */
export interface ClientCodec {
  readonly serialize: (message: never) => Uint8Array;
  /** Encodes a message as pieces sent one after another without joining them; preferred when present. */
  readonly serializeParts?: ((message: never) => readonly Uint8Array[]) | undefined;
  readonly deserialize: (bytes: Buffer) => unknown;
  /** Decodes a message that arrived in several pieces without joining them. */
  readonly deserializeParts?: ((parts: readonly Buffer[]) => unknown) | undefined;
}

/** Per-call options. */
export interface ClientCallOptions {
  /** Milliseconds since the epoch after which the call fails with DEADLINE_EXCEEDED. */
  readonly deadline?: number;
}

/** gRPC status of an HTTP status other than 200 (gRPC's "HTTP to gRPC Status Code Mapping"). */
function statusOfHttp(code: number): number {
  switch (code) {
    case 400:
      return Status.INTERNAL;
    case 401:
      return Status.UNAUTHENTICATED;
    case 403:
      return Status.PERMISSION_DENIED;
    case 404:
      return Status.UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return Status.UNAVAILABLE;
    default:
      return Status.UNKNOWN;
  }
}

/** gRPC status of a stream the server reset, as grpc-js reports it. */
function statusOfReset(code: number): { code: number; details: string } {
  switch (code) {
    case ErrorCode.REFUSED_STREAM:
      return { code: Status.UNAVAILABLE, details: "the server refused the stream before processing it" };
    case ErrorCode.CANCEL:
      return { code: Status.CANCELLED, details: "Call cancelled" };
    case ErrorCode.ENHANCE_YOUR_CALM:
      return { code: Status.RESOURCE_EXHAUSTED, details: "Bandwidth exhausted or memory limit exceeded" };
    default:
      return { code: Status.INTERNAL, details: `Received RST_STREAM with code ${code}` };
  }
}

/** Response header fields that are HTTP/2 or gRPC framing, not metadata. */
const transportHeaders = new Set(["content-type", "grpc-encoding", "grpc-accept-encoding", "grpc-status", "grpc-message", "te"]);

const USER_AGENT = "grpc-node-jumpstarter-http2/0.1";

/** A grpc-js-shaped `ServiceError` for `status`. */
function statusError(status: StatusObject): ServiceError {
  return Object.assign(new Error(`${status.code} ${Status[status.code] ?? "UNKNOWN"}: ${status.details}`), status) as ServiceError;
}

/** One target's connection, opened on the first call and again after it was lost; calls multiplex on it. */
export class GrpcClient {
  readonly #endpoint: Endpoint;
  readonly #options: GrpcClientOptions;
  readonly #limits: ConnectionLimits;
  readonly #authority: string;
  readonly #scheme: string;
  /** The target as calls' `getPeer()` give it. */
  readonly #peer: string;
  #connection: Http2ClientConnection | undefined;
  #connecting: Promise<Http2ClientConnection> | undefined;
  readonly #calls = new Set<ClientBidiCall>();
  #closed = false;

  constructor(options: GrpcClientOptions) {
    this.#endpoint = parseAddress(options.address);
    this.#options = options;
    this.#limits = {
      streamWindow: options.streamWindow ?? 8 * 1024 * 1024,
      connectionWindow: options.connectionWindow ?? 16 * 1024 * 1024,
      maxHeaderListSize: 64 * 1024,
      maxConcurrentStreams: 100,
    };
    const endpoint = this.#endpoint;
    this.#authority = endpoint.kind === "unix" ? "localhost" : `${endpoint.host.includes(":") ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`;
    this.#scheme = endpoint.kind === "tcp" && options.tls ? "https" : "http";
    this.#peer = endpoint.kind === "unix" ? `unix:${endpoint.path}` : this.#authority;
  }

  /** Resolves once connected; rejects with an UNAVAILABLE status when that fails or takes past `deadline`. */
  async waitForReady(deadline: number): Promise<void> {
    const ms = Math.max(0, deadline - Date.now());
    try {
      await beforeTimeout(this.#connect(), ms, `not connected within ${ms} ms`);
    } catch (error) {
      throw statusError({ code: Status.UNAVAILABLE, details: `cannot connect to ${this.#options.address}: ${(error as Error).message}`, metadata: new Metadata() });
    }
  }

  /**
   * A unary call: resolves with the response, rejects with a grpc-js-shaped `ServiceError` (`code`, `details`,
   * `metadata`). `signal` cancels it.
   */
  unary(path: string, codec: ClientCodec, request: unknown, metadata?: Metadata, options: ClientCallOptions & { readonly signal?: AbortSignal } = {}): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      const call = this.serverStream(path, codec, request, metadata, options);
      let response: { value: unknown } | undefined;
      const abort = () => call.cancel();
      options.signal?.addEventListener("abort", abort, { once: true });
      call.on("data", (message: unknown) => {
        response ??= { value: message };
      });
      call.on("error", () => {});
      call.once("status", (status: StatusObject) => {
        options.signal?.removeEventListener("abort", abort);
        if (status.code !== Status.OK) reject(statusError(status));
        else if (!response) reject(statusError({ code: Status.UNIMPLEMENTED, details: "No message received", metadata: status.metadata }));
        else resolve(response.value);
      });
      if (options.signal?.aborted) abort();
    });
  }

  /** A server-streaming call: `request` goes out with the end of the request; read the responses from the call. */
  serverStream(path: string, codec: ClientCodec, request: unknown, metadata?: Metadata, options: ClientCallOptions = {}): ClientBidiCall {
    const call = this.bidi(path, codec, metadata, options);
    call.sendLast(request);
    return call;
  }

  /** Starts a bidi-streaming call to `path` (`/package.Service/Method`). */
  bidi(path: string, codec: ClientCodec, metadata: Metadata = new Metadata(), options: ClientCallOptions = {}): ClientBidiCall {
    const fields: Array<[string, string]> = [
      [":method", "POST"],
      [":scheme", this.#scheme],
      [":path", path],
      [":authority", this.#authority],
      ["te", "trailers"],
      ["content-type", "application/grpc"],
      ["user-agent", USER_AGENT],
      ["grpc-accept-encoding", "identity,deflate,gzip"],
    ];
    if (options.deadline !== undefined) fields.push(["grpc-timeout", formatGrpcTimeout(options.deadline - Date.now())]);
    fields.push(...metadataFields(metadata));
    const call = new ClientBidiCall(codec, this.#options.maxReceiveMessageLength ?? Number.MAX_SAFE_INTEGER, options.deadline, this.#peer);
    this.#calls.add(call);
    call.once("close", () => this.#calls.delete(call));
    if (this.#closed) {
      queueMicrotask(() => call.fail(Status.UNAVAILABLE, "the channel is closed"));
      return call;
    }
    this.#connect().then(
      (connection) => call.open(connection, fields),
      (error: Error) => call.fail(Status.UNAVAILABLE, `cannot connect to ${this.#options.address}: ${error.message}`),
    );
    return call;
  }

  /** Cancels every call and closes the connection. */
  close(): void {
    this.#closed = true;
    for (const call of [...this.#calls]) call.cancel();
    this.#connection?.destroy();
    this.#connection = undefined;
  }

  #connect(): Promise<Http2ClientConnection> {
    if (this.#connection?.available) return Promise.resolve(this.#connection);
    this.#connecting ??= this.#open().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #open(): Promise<Http2ClientConnection> {
    const socket = await this.#socket();
    if (this.#closed) {
      socket.destroy();
      throw new Error("the channel is closed");
    }
    const connection = new Http2ClientConnection(socket, this.#limits);
    this.#connection = connection;
    this.#keepalive(connection);
    connection.onClose(() => {
      if (this.#connection === connection) this.#connection = undefined;
    });
    return connection;
  }

  #socket(): Promise<net.Socket> {
    const endpoint = this.#endpoint;
    const option = this.#options.proxy;
    const proxy = endpoint.kind === "unix" || option === false ? undefined : option !== undefined ? parseProxy(option) : proxyFromEnv(endpoint.host);
    return connectSocket(endpoint, {
      tls: endpoint.kind === "tcp" ? this.#options.tls : undefined,
      proxy,
      timeoutMs: this.#options.connectTimeoutMs ?? 20_000,
    });
  }

  /**
   * Pings while calls are open (or always, with `keepaliveWithoutCalls`); an unanswered PING drops the
   * connection, failing its calls with UNAVAILABLE, and the next call opens a new one.
   */
  #keepalive(connection: Http2ClientConnection): void {
    const interval = this.#options.keepaliveMs ?? 20_000;
    if (interval <= 0) return;
    const timeoutMs = this.#options.keepaliveTimeoutMs ?? 20_000;
    const withoutCalls = this.#options.keepaliveWithoutCalls ?? false;
    let waiting = false;
    const timer = setInterval(() => {
      if (waiting || (connection.openStreams === 0 && !withoutCalls)) return;
      waiting = true;
      const deadline = setTimeout(() => connection.drop(`no answer to a keepalive PING within ${timeoutMs} ms`), timeoutMs);
      deadline.unref();
      connection.ping().then(
        () => {
          waiting = false;
          clearTimeout(deadline);
        },
        () => clearTimeout(deadline),
      );
    }, interval);
    timer.unref();
    connection.onClose(() => clearInterval(timer));
  }
}

/**
 * A bidi-streaming call, shaped like grpc-js's `ClientDuplexStream`: write messages, read messages, `metadata`
 * once the response headers arrive, `status` at the end (after `error` when it is not OK), `cancel()`.
 * A write is done once its bytes were handed to the socket.
 */
export class ClientBidiCall extends Duplex {
  readonly #codec: ClientCodec;
  readonly #reader: MessageReader;
  readonly #peer: string;
  #stream: Http2Stream | undefined;
  #whenOpen: Array<() => void> = [];
  #encoding: string | undefined;
  #headersSeen = false;
  #status: StatusObject | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Received bytes not yet given back to the server because the reader is behind. */
  #held = 0;
  #paused = false;

  /** @internal Made by {@link GrpcClient.bidi}. */
  constructor(codec: ClientCodec, maxReceiveMessageLength: number, deadline: number | undefined, peer: string) {
    super({ objectMode: true, readableHighWaterMark: 16, writableHighWaterMark: 16, allowHalfOpen: true });
    this.#codec = codec;
    this.#reader = new MessageReader(maxReceiveMessageLength);
    this.#peer = peer;
    if (deadline !== undefined) {
      this.#timer = setTimeout(() => this.#abort(Status.DEADLINE_EXCEEDED, "Deadline exceeded"), Math.max(0, deadline - Date.now()));
      this.#timer.unref?.();
    }
  }

  /** The target, as grpc-js's `getPeer()` gives it. */
  getPeer(): string {
    return this.#peer;
  }

  /** Cancels the call: the stream is reset and the call ends with CANCELLED (unless it already ended). */
  cancel(): void {
    this.#abort(Status.CANCELLED, "Cancelled on client");
  }

  /** @internal Opens the HTTP/2 stream once the connection is there. */
  open(connection: Http2ClientConnection, fields: Array<[string, string]>): void {
    if (this.#status) return;
    try {
      this.#stream = connection.request(fields, {
        headers: (headers, endStream) => this.#onHeaders(headers, endStream),
        data: (chunk) => this.#onData(chunk),
        end: () => this.#onEnd(),
        reset: (code) => this.#onReset(code, connection),
      });
    } catch (error) {
      this.fail(Status.UNAVAILABLE, (error as Error).message);
      return;
    }
    for (const run of this.#whenOpen.splice(0)) run();
  }

  /** @internal Ends the call with `code` before (or instead of) its stream. */
  fail(code: number, details: string): void {
    this.#abort(code, details);
  }

  /** Ends the call from this side with `code`: the stream is reset. */
  #abort(code: number, details: string, announce = true): void {
    if (this.#status) return;
    this.#stream?.reset(ErrorCode.CANCEL);
    this.#finish({ code, details, metadata: new Metadata() }, announce);
  }

  #onHeaders(fields: Array<[string, string]>, endStream: boolean): void {
    if (this.#headersSeen && !endStream) return this.#abort(Status.INTERNAL, "the server sent a second header block that does not end the call");
    const metadata = new Metadata();
    let httpStatus = 0;
    let grpcStatus: string | undefined;
    let message = "";
    let contentType = "";
    for (const [name, value] of fields) {
      if (name.charCodeAt(0) === 0x3a) {
        if (name === ":status") httpStatus = Number(value);
        continue;
      }
      if (name === "grpc-status") grpcStatus = value;
      else if (name === "grpc-message") message = decodeGrpcMessage(value);
      else if (name === "grpc-encoding") this.#encoding = value;
      else if (name === "content-type") contentType = value;
      if (!transportHeaders.has(name)) addMetadataField(metadata, name, value);
    }
    const first = !this.#headersSeen;
    this.#headersSeen = true;
    if (first && httpStatus !== 200) {
      return this.#abort(statusOfHttp(httpStatus), `Received HTTP status code ${httpStatus}`);
    }
    if (first && grpcStatus === undefined && !contentType.startsWith("application/grpc")) {
      return this.#abort(Status.UNKNOWN, `Received unexpected content-type "${contentType}"`);
    }
    if (!endStream) {
      this.emit("metadata", metadata);
      return;
    }
    const code = grpcStatus === undefined ? Status.UNKNOWN : Number(grpcStatus);
    if (grpcStatus === undefined) message = "the server ended the call without a grpc-status";
    this.#finish({ code: Number.isInteger(code) && code >= 0 && code <= 16 ? code : Status.UNKNOWN, details: message, metadata });
  }

  #onData(chunk: Buffer): void {
    const stream = this.#stream!;
    if (this.#status || !this.#headersSeen) {
      stream.release(chunk.length);
      if (!this.#status) this.#abort(Status.INTERNAL, "the server sent a message before its response headers");
      return;
    }
    let messages: ReceivedMessage[];
    try {
      messages = this.#reader.push(chunk);
    } catch (error) {
      stream.release(chunk.length);
      if (!(error instanceof MessageTooLargeError)) throw error;
      return this.#abort(Status.RESOURCE_EXHAUSTED, error.message);
    }
    for (const message of messages) {
      const decoded = this.#decode(message);
      if (!decoded) {
        stream.release(chunk.length);
        return;
      }
      if (!this.push(decoded.value)) this.#paused = true;
    }
    if (this.#paused) this.#held += chunk.length;
    else stream.release(chunk.length);
  }

  #decode(message: ReceivedMessage): { value: unknown } | undefined {
    const fromParts = !message.compressed && message.parts.length > 1 ? this.#codec.deserializeParts : undefined;
    try {
      if (fromParts) return { value: fromParts(message.parts) };
      const bytes = message.compressed ? decompress(joined(message), this.#encoding) : joined(message);
      if (!bytes) {
        this.#abort(Status.INTERNAL, `Received a message compressed with "${this.#encoding ?? "no grpc-encoding"}"`);
        return undefined;
      }
      return { value: this.#codec.deserialize(bytes) };
    } catch (error) {
      this.#abort(Status.INTERNAL, `Failed to parse the server's message: ${(error as Error).message}`);
      return undefined;
    }
  }

  #onEnd(): void {
    // Trailers end the stream and were handled; a bare END_STREAM has no status.
    if (!this.#status) this.#abort(Status.INTERNAL, "the server ended the stream without a status");
  }

  #onReset(code: number, connection: Http2ClientConnection): void {
    if (this.#status) return;
    if (connection.closed) {
      const reason = connection.goawayReason;
      this.#finish({ code: Status.UNAVAILABLE, details: `Connection dropped${reason ? `: ${reason}` : ""}`, metadata: new Metadata() });
      return;
    }
    this.#finish({ ...statusOfReset(code), metadata: new Metadata() });
  }

  /** Records how the call ended; `announce` tells the reader (end, `error`, `status`). */
  #finish(status: StatusObject, announce = true): void {
    if (this.#status) return;
    this.#status = status;
    if (this.#timer) clearTimeout(this.#timer);
    for (const run of this.#whenOpen.splice(0)) run();
    if (!announce) return;
    this.push(null);
    if (status.code !== Status.OK) this.emit("error", statusError(status));
    this.emit("status", status);
  }

  override _read(): void {
    if (!this.#paused) return;
    this.#paused = false;
    const held = this.#held;
    this.#held = 0;
    this.#stream?.release(held);
  }

  override _write(message: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#send(message, false, callback);
  }

  /**
   * Sends `message` as the last one and ends the request: with the request headers, in one write (unary and
   * server-streaming calls). Nothing may be written after it.
   */
  sendLast(message: unknown): void {
    this.#send(message, true, () => {});
    // The writable side is done; its _final finds the stream already ended.
    super.end();
  }

  #send(message: unknown, last: boolean, callback: (error?: Error | null) => void): void {
    if (!this.#stream && !this.#status) {
      this.#whenOpen.push(() => this.#send(message, last, callback));
      return;
    }
    if (this.#status || !this.#stream) {
      callback();
      return;
    }
    let parts: readonly Uint8Array[];
    try {
      parts = this.#codec.serializeParts ? this.#codec.serializeParts(message as never) : [this.#codec.serialize(message as never)];
    } catch (error) {
      this.#abort(Status.INTERNAL, `Failed to serialize the request: ${(error as Error).message}`);
      callback();
      return;
    }
    const { chunks, length } = frameMessage(parts);
    this.#stream.sendData(chunks, length, () => callback(), last);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.#stream && !this.#status) {
      this.#whenOpen.push(() => this._final(callback));
      return;
    }
    // After sendLast() the stream is already half-closed and this does nothing.
    this.#stream?.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // Destroyed by its owner: the stream goes, and nobody is left to tell about a status.
    this.#abort(Status.CANCELLED, "Cancelled on client", false);
    callback(error);
  }
}
