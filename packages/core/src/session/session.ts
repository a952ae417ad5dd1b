/**
 * @module
 * The exporter session: serves `jumpstarter.v1.ExporterService` and `jumpstarter.v1.RouterService` for one
 * driver tree, exactly as the reference session does (spec driver-calls.md, exporter-and-local-mode.md §4–5).
 */
import { randomUUID } from "node:crypto";
import type { Duplex } from "node:stream";
import { create } from "@bufbuild/protobuf";
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
  EndSessionResponseSchema,
  GetReportResponseSchema,
  GetStatusResponseSchema,
} from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import { fromValue, toValue } from "../codec.js";
import type { CallKind } from "../driver/decorators.js";
import type { Driver } from "../driver/driver.js";
import { createLogger } from "../driver/logger.js";
import { CancelledError, Code, ExporterNotReadyError, JumpstarterError, toStatus } from "../errors.js";
import type { Frame } from "../streams/frames.js";
import { runWithCallSignal } from "./call-context.js";
import { checkArity, findDriver, resolveMethod } from "./driver-lookup.js";
import { LogBus, LogSource } from "./log-bus.js";
import { serveLogStream } from "./log-stream.js";
import { logOperation } from "./operation-log.js";
import { serveRouterStream } from "./router-stream.js";
import type { StreamHost } from "./router-stream.js";
import type { StatusSnapshot } from "./status.js";
import { ExporterStatus, StatusMachine, statusName } from "./status.js";
import { pumpStreamingCall } from "./streaming-call.js";

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

/** A grpc-js status error with details, as handlers pass to callbacks or emit. */
function statusError(error: unknown): grpc.ServiceError {
  const { code, details } = toStatus(error);
  return Object.assign(new Error(details), { code, details, metadata: new Metadata() });
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
  readonly #calls = new Set<AbortController>();
  readonly #logStreamClosers = new Set<() => void>();
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
        this.logs.publish({ severity, message, source: LogSource.DRIVER, driverType: target.constructor.name, timestamp: new Date(), fields });
      });
    }
  }

  /** The GetReport answer: every driver in pre-order. */
  report(): GetReportResponse {
    const reports = [];
    for (const entry of this.root.enumerate()) reports.push(entry.driver.resolve().report(entry.parent, entry.name));
    return create(GetReportResponseSchema, { uuid: this.uuid, labels: { ...this.#labels }, reports, motd: this.#motd });
  }

  /** Finds a driver by uuid, failing like the reference (an unhandled KeyError/ValueError → UNKNOWN). */
  driver(uuid: string): Driver {
    return findDriver(this.#drivers, uuid);
  }

  #checkReady(): void {
    if (!this.status.acceptsDriverCalls) {
      throw new ExporterNotReadyError(`Exporter not ready for driver calls (status: ${statusName(this.status.current.status)})`);
    }
  }

  #prepareCall(request: DriverCallRequest | StreamingDriverCallRequest, kind: CallKind) {
    this.#checkReady();
    const driver = this.driver(request.uuid);
    const resolved = resolveMethod(driver, request.method, kind);
    checkArity(resolved, request.method, request.args.length);
    return { driver, fn: resolved.fn, args: request.args.map(fromValue) };
  }

  /** An abort controller for one call: aborted when the caller leaves or the session closes. */
  #callController(call?: { once(event: "cancelled", listener: () => void): unknown; off(event: "cancelled", listener: () => void): unknown }): { controller: AbortController; release: () => void } {
    const controller = new AbortController();
    if (this.#closed) controller.abort(new CancelledError("the exporter session is closed"));
    const onCancel = () => controller.abort(new CancelledError("the caller cancelled the call"));
    call?.once("cancelled", onCancel);
    this.#calls.add(controller);
    return {
      controller,
      release: () => {
        call?.off("cancelled", onCancel);
        this.#calls.delete(controller);
      },
    };
  }

  readonly #streamHost: StreamHost = {
    driver: (uuid) => this.driver(uuid),
    checkReady: () => this.#checkReady(),
    track: (stream) => {
      if (this.#closed) return void stream.destroy();
      this.#openStreams.add(stream);
      stream.once("close", () => this.#openStreams.delete(stream));
    },
    callController: () => this.#callController(),
  };

  /** grpc-js handlers for `jumpstarter.v1.ExporterService`. */
  readonly exporterService = {
    getReport: (_call: grpc.ServerUnaryCall<unknown, GetReportResponse>, callback: grpc.sendUnaryData<GetReportResponse>) => {
      let report: GetReportResponse;
      try {
        report = this.report();
      } catch (error) {
        return callback(statusError(error));
      }
      callback(null, report);
    },

    driverCall: (call: grpc.ServerUnaryCall<DriverCallRequest, DriverCallResponse>, callback: grpc.sendUnaryData<DriverCallResponse>) => {
      const request = call.request;
      let driver: Driver | undefined;
      const { controller, release } = this.#callController(call);
      const finish = (error: unknown, result?: unknown) => {
        release();
        let response: DriverCallResponse | undefined;
        if (error === undefined) {
          try {
            response = create(DriverCallResponseSchema, { uuid: randomUUID(), result: toValue(result) });
          } catch (encodeError) {
            error = encodeError;
          }
        }
        if (driver) logOperation(this.logs, driver, request.method, response ? "completed" : "failed", error);
        if (response) callback(null, response);
        else callback(statusError(error));
      };
      try {
        const prepared = this.#prepareCall(request, "unary");
        driver = prepared.driver;
        logOperation(this.logs, driver, request.method, "started");
        const result = runWithCallSignal(controller.signal, () => prepared.fn.apply(prepared.driver, prepared.args));
        if (result instanceof Promise) result.then((value) => finish(undefined, value), (error: unknown) => finish(error ?? new Error("rejected")));
        else finish(undefined, result);
      } catch (error) {
        finish(error ?? new Error("thrown"));
      }
    },

    streamingDriverCall: (call: grpc.ServerWritableStream<StreamingDriverCallRequest, StreamingDriverCallResponse>) => {
      void this.#serveStreaming(call);
    },

    logStream: (call: grpc.ServerWritableStream<unknown, LogStreamResponse>) => {
      const close = serveLogStream(this.logs, call);
      if (this.#closed) return close();
      this.#logStreamClosers.add(close);
      const forget = () => this.#logStreamClosers.delete(close);
      call.once("cancelled", forget);
      call.once("close", forget);
    },

    reset: (_call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      callback(statusError(new JumpstarterError("Method not implemented!", Code.UNIMPLEMENTED)));
    },

    getStatus: (_call: grpc.ServerUnaryCall<unknown, GetStatusResponse>, callback: grpc.sendUnaryData<GetStatusResponse>) => {
      callback(null, statusResponse(this.status.current));
    },

    endSession: (_call: grpc.ServerUnaryCall<unknown, EndSessionResponse>, callback: grpc.sendUnaryData<EndSessionResponse>) => {
      let answer: { success: boolean; message?: string };
      try {
        answer = this.#onEndSession?.() ?? { success: false, message: "No active lease context" };
      } catch (error) {
        return callback(statusError(error));
      }
      callback(null, create(EndSessionResponseSchema, { success: answer.success, ...(answer.message !== undefined ? { message: answer.message } : {}) }));
    },
  };

  async #serveStreaming(call: grpc.ServerWritableStream<StreamingDriverCallRequest, StreamingDriverCallResponse>): Promise<void> {
    const { controller, release } = this.#callController(call);
    let driver: Driver | undefined;
    try {
      const prepared = this.#prepareCall(call.request, "streaming");
      driver = prepared.driver;
      logOperation(this.logs, driver, call.request.method, "started");
      const result = runWithCallSignal(controller.signal, () => prepared.fn.apply(prepared.driver, prepared.args));
      const finished = await pumpStreamingCall(call, result, controller.signal);
      if (finished) {
        logOperation(this.logs, driver, call.request.method, "completed");
        call.end();
      }
    } catch (error) {
      if (driver) logOperation(this.logs, driver, call.request.method, "failed", error);
      if (!controller.signal.aborted) call.emit("error", statusError(error));
    } finally {
      release();
    }
  }

  /** grpc-js handlers for `jumpstarter.v1.RouterService` (exportstream and resources). */
  readonly routerService = {
    stream: (call: grpc.ServerDuplexStream<Frame, Frame>) => {
      serveRouterStream(this.#streamHost, call).catch((error: unknown) => call.emit("error", statusError(error)));
    },
  };

  /** Stops serving: aborts calls in flight, ends log streams, destroys open streams and closes the driver tree. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const controller of [...this.#calls]) controller.abort(new CancelledError("the exporter session is closed"));
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

export { ExporterStatus };
