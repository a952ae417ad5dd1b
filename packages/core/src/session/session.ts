/**
 * @module
 * The exporter session: serves `jumpstarter.v1.ExporterService` and `jumpstarter.v1.RouterService` for one
 * driver tree, exactly as the reference session does (spec driver-calls.md, exporter-and-local-mode.md §4–5).
 */
import { randomUUID } from "node:crypto";
import type { Duplex } from "node:stream";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type * as grpc from "@grpc/grpc-js";
import { Metadata } from "@grpc/grpc-js";
import type {
  DriverCallRequest,
  DriverCallResponse,
  EndSessionResponse,
  GetReportResponse,
  GetStatusResponse,
  LogStreamResponse,
  StreamingDriverCallRequest,
  StreamingDriverCallResponse,
} from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import {
  DriverCallResponseSchema,
  GetReportResponseSchema,
  GetStatusResponseSchema,
  LogStreamResponseSchema,
  StreamingDriverCallResponseSchema,
} from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import { fromValue, toValue } from "../codec.js";
import type { CallKind, ExportedMethod } from "../driver/decorators.js";
import { lookupMethod } from "../driver/decorators.js";
import type { Driver } from "../driver/driver.js";
import { createLogger } from "../driver/logger.js";
import { Code, ExporterNotReadyError, JumpstarterError, NotFoundError, toStatus } from "../errors.js";
import { supportedEncodings } from "../resources/encoding.js";
import type { ClientStreamHandle, ContentEncoding } from "../resources/handle.js";
import { isContentEncoding } from "../resources/handle.js";
import { RouterByteStream } from "../streams/byte-stream.js";
import type { Frame } from "../streams/frames.js";
import { runWithCallSignal } from "./call-context.js";
import { LogBus, LogSource } from "./log-bus.js";
import type { StatusSnapshot } from "./status.js";
import { ExporterStatus, StatusMachine, statusName } from "./status.js";

/** Options of an exporter session. */
export interface SessionOptions {
  /** Root of the driver tree (for an exporter config: the Composite wrapping `export:`). */
  readonly root: Driver;
  /** Exporter labels reported in GetReport. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Message of the day (GetReportResponse.motd). */
  readonly motd?: string;
  /** Exporter instance uuid; random by default. */
  readonly uuid?: string;
  /** Status machine to report; a new one in AVAILABLE by default. */
  readonly status?: StatusMachine;
  /** Answers EndSession; without it the session has no lease context. */
  readonly onEndSession?: () => { success: boolean; message?: string };
}

const markerOf: Record<CallKind, string> = {
  unary: "marker_drivercall",
  streaming: "marker_streamingdrivercall",
  stream: "marker_streamcall",
};

/** A grpc-js status error with details, as handlers pass to callbacks or emit. */
function statusError(error: unknown): grpc.ServiceError {
  const { code, details } = toStatus(error);
  return Object.assign(new Error(details), { code, details, metadata: new Metadata() });
}

function className(driver: Driver): string {
  return driver.constructor.name;
}

/** Serves one driver tree over ExporterService and RouterService. */
export class ExporterSession {
  readonly uuid: string;
  readonly root: Driver;
  readonly status: StatusMachine;
  readonly logs: LogBus = new LogBus();
  readonly #labels: Readonly<Record<string, string>>;
  readonly #motd: string;
  readonly #drivers = new Map<string, Driver>();
  readonly #openStreams = new Set<Duplex>();
  readonly #onEndSession: SessionOptions["onEndSession"];
  #closed = false;

  constructor(options: SessionOptions) {
    this.root = options.root;
    this.uuid = options.uuid ?? randomUUID();
    this.status = options.status ?? new StatusMachine();
    this.#labels = options.labels ?? {};
    this.#motd = options.motd ?? "";
    this.#onEndSession = options.onEndSession;
    for (const { driver } of this.root.enumerate()) {
      const target = driver.resolve();
      this.#drivers.set(target.uuid, target);
      target.logger = createLogger((severity, message, fields = {}) => {
        if (!this.logs.active) return;
        this.logs.publish({
          severity,
          message,
          source: LogSource.DRIVER,
          driverType: className(target),
          timestamp: new Date(),
          fields,
        });
      });
    }
  }

  /** The GetReport answer: every driver in pre-order. */
  report(): GetReportResponse {
    const reports = [];
    for (const entry of this.root.enumerate()) reports.push(entry.driver.resolve().report(entry.parent, entry.name));
    return create(GetReportResponseSchema, { uuid: this.uuid, labels: { ...this.#labels }, reports, motd: this.#motd });
  }

  /** Finds a driver by uuid, failing like the reference (an unhandled KeyError → UNKNOWN). */
  driver(uuid: string): Driver {
    const driver = this.#drivers.get(uuid);
    if (driver) return driver;
    if (!/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(uuid)) {
      throw new JumpstarterError("Unexpected <class 'ValueError'>: badly formed hexadecimal UUID string", Code.UNKNOWN);
    }
    throw new JumpstarterError(`Unexpected <class 'KeyError'>: UUID('${uuid.toLowerCase()}')`, Code.UNKNOWN);
  }

  #method(driver: Driver, name: string, kind: CallKind): { method: ExportedMethod; fn: (...args: unknown[]) => unknown } {
    const found = lookupMethod(driver, name);
    if (found.found === "missing") throw new NotFoundError(`method ${name} not found on driver`);
    if (found.found === "unmarked" || found.method.kind !== kind) {
      throw new NotFoundError(`method ${name} missing marker ${markerOf[kind]}`);
    }
    return found;
  }

  #checkReady(): void {
    if (!this.status.acceptsDriverCalls) {
      throw new ExporterNotReadyError(`Exporter not ready for driver calls (status: ${statusName(this.status.current.status)})`);
    }
  }

  /** Validates positional argument count with the reference's TypeError wording. */
  #checkArity(driver: Driver, name: string, method: ExportedMethod, count: number): void {
    const label = `${className(driver)}.${name}()`;
    if (count > method.maxArgs) {
      const takes = method.maxArgs + 1;
      throw new JumpstarterError(
        `${label} takes ${takes} positional argument${takes === 1 ? "" : "s"} but ${count + 1} were given`,
        Code.UNKNOWN,
      );
    }
    if (count < method.minArgs) {
      const missing = method.minArgs - count;
      throw new JumpstarterError(`${label} missing ${missing} required positional argument${missing === 1 ? "" : "s"}`, Code.UNKNOWN);
    }
  }

  #prepareCall(request: DriverCallRequest | StreamingDriverCallRequest, kind: CallKind) {
    this.#checkReady();
    const driver = this.driver(request.uuid);
    const { method, fn } = this.#method(driver, request.method, kind);
    this.#checkArity(driver, request.method, method, request.args.length);
    return { driver, fn, args: request.args.map(fromValue) };
  }

  #logOperation(driver: Driver, operation: string, severity: "DEBUG" | "ERROR", message: string, result?: string) {
    if (!this.logs.active) return;
    this.logs.publish({
      severity,
      message,
      source: LogSource.DRIVER,
      driverType: className(driver),
      operation,
      timestamp: new Date(),
      fields: result ? { result } : {},
    });
  }

  /** grpc-js handlers for `jumpstarter.v1.ExporterService`. */
  readonly exporterService = {
    getReport: (_call: grpc.ServerUnaryCall<unknown, GetReportResponse>, callback: grpc.sendUnaryData<GetReportResponse>) => {
      callback(null, this.report());
    },

    driverCall: (
      call: grpc.ServerUnaryCall<DriverCallRequest, DriverCallResponse>,
      callback: grpc.sendUnaryData<DriverCallResponse>,
    ) => {
      const request = call.request;
      let driver: Driver | undefined;
      const controller = new AbortController();
      const onCancel = () => controller.abort(new JumpstarterError("the caller cancelled the call", Code.CANCELLED));
      call.once("cancelled", onCancel);
      const finish = (error: unknown, result?: unknown) => {
        call.off("cancelled", onCancel);
        if (error !== undefined) {
          if (driver) this.#logOperation(driver, request.method, "ERROR", "Operation failed", "failure");
          callback(statusError(error));
          return;
        }
        let response: DriverCallResponse;
        try {
          response = create(DriverCallResponseSchema, { uuid: randomUUID(), result: toValue(result) });
        } catch (encodeError) {
          callback(statusError(encodeError));
          return;
        }
        if (driver) this.#logOperation(driver, request.method, "DEBUG", "Operation completed", "success");
        callback(null, response);
      };
      try {
        const prepared = this.#prepareCall(request, "unary");
        driver = prepared.driver;
        this.#logOperation(driver, request.method, "DEBUG", "Operation started");
        const result = runWithCallSignal(controller.signal, () => prepared.fn.apply(prepared.driver, prepared.args));
        if (result instanceof Promise) result.then((value) => finish(undefined, value), (error: unknown) => finish(error ?? new Error("rejected")));
        else finish(undefined, result);
      } catch (error) {
        finish(error ?? new Error("thrown"));
      }
    },

    streamingDriverCall: (call: grpc.ServerWritableStream<StreamingDriverCallRequest, StreamingDriverCallResponse>) => {
      const controller = new AbortController();
      call.once("cancelled", () => controller.abort(new JumpstarterError("the caller cancelled the call", Code.CANCELLED)));
      void this.#serveStreaming(call, controller.signal);
    },

    logStream: (call: grpc.ServerWritableStream<unknown, LogStreamResponse>) => {
      const unsubscribe = this.logs.subscribe((record) => {
        call.write(
          create(LogStreamResponseSchema, {
            uuid: "",
            severity: record.severity,
            message: record.message,
            source: record.source,
            ...(record.driverType !== undefined ? { driverType: record.driverType } : {}),
            ...(record.operation !== undefined ? { operation: record.operation } : {}),
            timestamp: timestampFromDate(record.timestamp),
            structuredFields: { ...record.fields },
          }),
        );
      });
      const stop = () => {
        unsubscribe();
        this.#logStreamClosers.delete(stop);
      };
      this.#logStreamClosers.add(() => {
        stop();
        call.end();
      });
      call.once("cancelled", stop);
      call.once("close", stop);
    },

    reset: (_call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      callback(Object.assign(new Error("Method not implemented!"), { code: Code.UNIMPLEMENTED, details: "Method not implemented!" }));
    },

    getStatus: (_call: grpc.ServerUnaryCall<unknown, GetStatusResponse>, callback: grpc.sendUnaryData<GetStatusResponse>) => {
      callback(null, statusResponse(this.status.current));
    },

    endSession: (_call: grpc.ServerUnaryCall<unknown, EndSessionResponse>, callback: grpc.sendUnaryData<EndSessionResponse>) => {
      const answer = this.#onEndSession?.() ?? { success: false, message: "No active lease context" };
      callback(null, { success: answer.success, ...(answer.message !== undefined ? { message: answer.message } : {}) } as EndSessionResponse);
    },
  };

  readonly #logStreamClosers = new Set<() => void>();

  async #serveStreaming(
    call: grpc.ServerWritableStream<StreamingDriverCallRequest, StreamingDriverCallResponse>,
    signal: AbortSignal,
  ): Promise<void> {
    let iterator: AsyncIterator<unknown> | Iterator<unknown> | undefined;
    let driver: Driver | undefined;
    try {
      const prepared = this.#prepareCall(call.request, "streaming");
      driver = prepared.driver;
      this.#logOperation(driver, call.request.method, "DEBUG", "Operation started");
      const iterable = runWithCallSignal(signal, () => prepared.fn.apply(prepared.driver, prepared.args)) as
        | AsyncIterable<unknown>
        | Iterable<unknown>;
      iterator = Symbol.asyncIterator in iterable ? iterable[Symbol.asyncIterator]() : iterable[Symbol.iterator]();
      const it = iterator;
      for (;;) {
        const next = await runWithCallSignal(signal, () => it.next());
        if (next.done || signal.aborted) break;
        const response = create(StreamingDriverCallResponseSchema, { uuid: randomUUID(), result: toValue(next.value) });
        if (!call.write(response)) await new Promise<void>((resolve) => {
          const done = () => { call.off("drain", done); signal.removeEventListener("abort", done); resolve(); };
          call.on("drain", done);
          signal.addEventListener("abort", done);
        });
        if (signal.aborted) break;
      }
      if (signal.aborted) await iterator.return?.();
      else {
        this.#logOperation(driver, call.request.method, "DEBUG", "Operation completed", "success");
        call.end();
      }
    } catch (error) {
      if (driver) this.#logOperation(driver, call.request.method, "ERROR", "Operation failed", "failure");
      if (!signal.aborted) call.emit("error", statusError(error));
    }
  }

  /** grpc-js handlers for `jumpstarter.v1.RouterService` (exportstream and resources). */
  readonly routerService = {
    stream: (call: grpc.ServerDuplexStream<Frame, Frame>) => {
      void this.#serveStream(call).catch((error: unknown) => {
        call.emit("error", statusError(error));
      });
    },
  };

  async #serveStream(call: grpc.ServerDuplexStream<Frame, Frame>): Promise<void> {
    const request = parseStreamRequest(call.metadata.get("request")[0]);
    const driver = this.driver(request.uuid);
    if (request.kind === "driver") {
      this.#checkReady();
      const { fn } = this.#method(driver, request.method, "stream");
      const controller = new AbortController();
      call.once("cancelled", () => controller.abort());
      const target = (await runWithCallSignal(controller.signal, () => fn.call(driver))) as Duplex;
      if (controller.signal.aborted) {
        target.destroy();
        return;
      }
      call.sendMetadata(new Metadata());
      // A driver stream whose readable side is in object mode yields messages: keep one frame per message.
      this.#relay(new RouterByteStream(call, "server", { framePerWrite: target.readableObjectMode }), target);
      return;
    }
    const supported = supportedEncodings();
    const accepted: ContentEncoding | null =
      request.encoding !== null && supported.has(request.encoding) ? request.encoding : null;
    const handle: ClientStreamHandle = { kind: "client_stream", uuid: randomUUID(), x_jmp_content_encoding: accepted };
    const bytes = new RouterByteStream(call, "server");
    this.#track(bytes);
    driver.resources.set(handle.uuid, bytes);
    bytes.once("close", () => {
      if (driver.resources.get(handle.uuid) === bytes) driver.resources.delete(handle.uuid);
    });
    const metadata = new Metadata();
    metadata.set("resource", JSON.stringify(handle));
    if (accepted !== null) metadata.set("x_jmp_accept_encoding", accepted);
    call.sendMetadata(metadata);
  }

  #track(stream: Duplex): void {
    this.#openStreams.add(stream);
    stream.once("close", () => this.#openStreams.delete(stream));
  }

  /** Relays bytes both ways between a router stream and a driver stream, half-closes included. */
  #relay(bytes: RouterByteStream, target: Duplex): void {
    this.#track(bytes);
    this.#track(target);
    bytes.pipe(target);
    target.pipe(bytes);
    target.once("error", (error) => bytes.destroy(error));
    bytes.once("error", () => target.destroy());
    bytes.once("close", () => target.destroy());
  }

  /** Stops serving: ends log streams, destroys open streams and closes the driver tree. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const close of [...this.#logStreamClosers]) close();
    for (const stream of [...this.#openStreams]) stream.destroy();
    await this.root.close();
  }
}

function statusResponse(snapshot: StatusSnapshot): GetStatusResponse {
  return create(GetStatusResponseSchema, {
    status: snapshot.status,
    message: snapshot.message,
    statusVersion: BigInt(snapshot.version),
    ...(snapshot.previous !== undefined ? { previousStatus: snapshot.previous } : {}),
  });
}

type StreamRequest =
  | { kind: "driver"; uuid: string; method: string }
  | { kind: "resource"; uuid: string; encoding: ContentEncoding | null };

/** Parses the `request` metadata of a RouterService.Stream call. */
function parseStreamRequest(raw: string | Buffer | undefined): StreamRequest {
  if (raw === undefined) throw new JumpstarterError("Unexpected: missing 'request' metadata on stream", Code.UNKNOWN);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString());
  } catch {
    throw new JumpstarterError(`Unexpected: 'request' metadata is not valid JSON: ${raw.toString().slice(0, 200)}`, Code.UNKNOWN);
  }
  const record = (typeof parsed === "object" && parsed !== null ? parsed : {}) as Record<string, unknown>;
  if (typeof record["uuid"] !== "string") throw new JumpstarterError("Unexpected: stream request without a uuid", Code.UNKNOWN);
  if (record["kind"] === "driver") {
    return { kind: "driver", uuid: record["uuid"], method: typeof record["method"] === "string" ? record["method"] : "connect" };
  }
  if (record["kind"] === "resource") {
    const encoding = record["x_jmp_content_encoding"] ?? null;
    return { kind: "resource", uuid: record["uuid"], encoding: isContentEncoding(encoding) ? encoding : null };
  }
  throw new JumpstarterError(`Unexpected: unknown stream request kind ${JSON.stringify(record["kind"])}`, Code.UNKNOWN);
}

export { ExporterStatus };
