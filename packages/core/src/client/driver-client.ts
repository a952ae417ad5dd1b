/**
 * @module
 * `DriverClient`: the client half of a driver. Generic calls by name, raw streams and resources; typed
 * clients extend {@link InterfaceClient}.
 */
import type { Duplex, Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { WireValue } from "../codec.js";
import { fromValue, toValues } from "../codec.js";
import type { ArgsOf, DriverInterface, KeysOfKind, ResultOf } from "../driver/interface.js";
import { InvalidArgumentError } from "../errors.js";
import { createCompressor, createDecompressor, supportedEncodings } from "../resources/encoding.js";
import type { ClientStreamHandle, ContentEncoding } from "../resources/handle.js";
import { parseResourceHandle } from "../resources/handle.js";
import type { CallOptions, ExporterConnection } from "./connection.js";

/** What a client is built from: one report entry plus its children. */
export interface ClientInit {
  readonly uuid: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly description?: string;
  readonly methodsDescription: Readonly<Record<string, string>>;
  readonly children: Readonly<Record<string, DriverClient>>;
  readonly connection: ExporterConnection;
}

/** A client class constructor as the registry stores it. */
export type DriverClientClass<C extends DriverClient = DriverClient> = new (init: ClientInit) => C;

/** Byte source and/or sink of a resource. */
export interface ResourceIo {
  /** Bytes to send to the driver (flash, write). */
  readonly source?: Readable;
  /** Where bytes the driver writes go (dump, read). */
  readonly sink?: Writable;
  /**
   * Encoding of `source` as given (e.g. a `.gz` image) and the encoding wanted for the driver's writes.
   * If the exporter cannot handle it, the client (de)compresses locally.
   */
  readonly contentEncoding?: ContentEncoding | null;
}

/** The client side of one driver instance. */
export class DriverClient {
  readonly uuid: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly description: string | undefined;
  readonly methodsDescription: Readonly<Record<string, string>>;
  readonly children: Readonly<Record<string, DriverClient>>;
  readonly connection: ExporterConnection;

  constructor(init: ClientInit) {
    this.uuid = init.uuid;
    this.labels = init.labels;
    this.description = init.description;
    this.methodsDescription = init.methodsDescription;
    this.children = init.children;
    this.connection = init.connection;
  }

  /** The `jumpstarter.dev/client` label this client was built for. */
  get clientLabel(): string {
    return this.labels["jumpstarter.dev/client"] ?? "";
  }

  /** Calls an exported unary method by name with positional arguments. */
  async call(method: string, args: readonly unknown[] = [], options?: CallOptions): Promise<WireValue> {
    return fromValue(await this.connection.driverCall(this.uuid, method, toValues(args), options));
  }

  /** Calls an exported streaming method by name; yields each result. */
  async *streamingCall(method: string, args: readonly unknown[] = [], options?: CallOptions): AsyncGenerator<WireValue> {
    for await (const value of this.connection.streamingDriverCall(this.uuid, method, toValues(args), options)) {
      yield fromValue(value);
    }
  }

  /** Opens an exported byte stream (`@exportstream`, `connect` by default) as a Node Duplex. */
  async stream(method = "connect", options?: CallOptions): Promise<Duplex> {
    const { stream } = await this.connection.openStream({ kind: "driver", uuid: this.uuid, method }, options);
    return stream;
  }

  /**
   * Streams bytes to and/or from this driver for the duration of `use`, which receives the handle to pass
   * as a call argument. Flow-controlled end to end: nothing is buffered beyond a few frames.
   */
  async withResource<T>(io: ResourceIo, use: (handle: ClientStreamHandle) => Promise<T>, options?: CallOptions): Promise<T> {
    const requested = io.contentEncoding ?? null;
    const { stream, metadata } = await this.connection.openStream(
      { kind: "resource", uuid: this.uuid, x_jmp_content_encoding: requested },
      options,
    );
    let handle: ClientStreamHandle;
    try {
      handle = clientStreamHandle(metadata.get("resource")[0]);
    } catch (error) {
      stream.destroy();
      throw error;
    }
    // The exporter answers with a null encoding when it cannot handle the requested one: (de)compress here.
    const localCodec = requested !== null && handle.x_jmp_content_encoding === null;
    if (localCodec && !supportedEncodings({}).has(requested)) {
      stream.destroy();
      throw new InvalidArgumentError(`neither the exporter nor this client can handle ${requested}-compressed data; decompress it first`);
    }
    // The exporter may fail the stream after the upload's pipeline is done (the driver refused the data):
    // that failure reaches the caller through the call, so the stream's own 'error' must not go unhandled.
    stream.on("error", () => {});
    const transfers: Promise<void>[] = [];
    if (io.source) {
      const stages: Array<Readable | Duplex | Writable> = [io.source];
      if (localCodec) stages.push(createDecompressor(requested));
      transfers.push(pipeline([...stages, stream], { end: true }) as Promise<void>);
    } else {
      stream.end();
    }
    if (io.sink) {
      const stages: Array<Readable | Duplex | Writable> = [stream];
      if (localCodec) stages.push(createCompressor(requested));
      transfers.push(pipeline([...stages, io.sink]) as Promise<void>);
    } else {
      stream.resume();
    }
    const settled = Promise.all(transfers);
    settled.catch(() => {});
    try {
      const result = await use(handle);
      if (io.sink) await settled;
      return result;
    } catch (error) {
      stream.destroy();
      throw error;
    } finally {
      if (!stream.destroyed) {
        if (!stream.writableEnded) stream.end();
        stream.destroy();
      }
    }
  }
}

/** The handle an exporter returns in the `resource` response metadata of a resource stream. */
function clientStreamHandle(raw: string | Buffer | undefined): ClientStreamHandle {
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(raw));
  } catch {
    throw new InvalidArgumentError("the exporter answered a resource stream without a valid 'resource' handle");
  }
  const handle = parseResourceHandle(parsed);
  if (handle.kind !== "client_stream") throw new InvalidArgumentError(`the exporter answered with a ${handle.kind} handle`);
  return handle;
}

/**
 * A client typed by a driver interface: `invoke` and `invokeStreaming` accept only the interface's method
 * names with their argument types.
 */
export class InterfaceClient<I extends DriverInterface> extends DriverClient {
  /** Calls unary method `name` of the interface. */
  protected async invoke<N extends KeysOfKind<I["methods"], "unary">>(
    name: N,
    ...args: ArgsOf<I["methods"][N]> extends readonly unknown[] ? ArgsOf<I["methods"][N]> : never
  ): Promise<ResultOf<I["methods"][N]>> {
    return (await this.call(name, args)) as ResultOf<I["methods"][N]>;
  }

  /** Calls streaming method `name` of the interface. */
  protected invokeStreaming<N extends KeysOfKind<I["methods"], "streaming">>(
    name: N,
    ...args: ArgsOf<I["methods"][N]> extends readonly unknown[] ? ArgsOf<I["methods"][N]> : never
  ): AsyncGenerator<ResultOf<I["methods"][N]>> {
    return this.streamingCall(name, args) as AsyncGenerator<ResultOf<I["methods"][N]>>;
  }
}
