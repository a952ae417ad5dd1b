/**
 * @module
 * `@jumpstarter/core`: the driver model, exporter session and client of Jumpstarter.
 */

// Driver authors
export { Driver, CLIENT_LABEL, NAME_LABEL } from "./driver/driver.js";
export type { DriverOptions, DriverReport, DriverEntry } from "./driver/driver.js";
export type { DriverClass, ConfigSchema, SchemaResult } from "./driver/driver-class.js";
export { exportMethod, exportstream, exportedMethods, lookupMethod } from "./driver/decorators.js";
export type { CallKind, ExportedMethod, MethodLookup } from "./driver/decorators.js";
export { defineInterface, unary, streaming, byteStream } from "./driver/interface.js";
export type { DriverInterface, MethodSpec, MethodTable, DriverMethods, ArgsOf, ResultOf, KeysOfKind } from "./driver/interface.js";
export { createLogger, silentLogger } from "./driver/logger.js";
export type { DriverLogger, Severity } from "./driver/logger.js";
export { callSignal } from "./session/call-context.js";

// Errors
export {
  Code,
  codeName,
  JumpstarterError,
  NotImplementedError,
  InvalidArgumentError,
  DeadlineExceededError,
  ConnectionError,
  NotFoundError,
  ExporterNotReadyError,
  InternalError,
  CancelledError,
  toStatus,
  fromStatus,
} from "./errors.js";
export type { StatusObject, CallSite } from "./errors.js";

// Values and resources
export { toValue, fromValue, toValues } from "./codec.js";
export type { WireValue } from "./codec.js";
export { parseResourceHandle, isContentEncoding } from "./resources/handle.js";
export type { ResourceHandle, ClientStreamHandle, PresignedRequestHandle, ContentEncoding } from "./resources/handle.js";
export { supportedEncodings, createCompressor, createDecompressor, sniffEncoding } from "./resources/encoding.js";

// Client
export { DriverClient, InterfaceClient } from "./client/driver-client.js";
export type { ClientInit, DriverClientClass, ResourceIo } from "./client/driver-client.js";
export { StubDriverClient } from "./client/stub-client.js";
export type { StubReason } from "./client/stub-client.js";
export { registerClientClass, clientClassFor, registeredClientLabels } from "./client/registry.js";
export { buildClientTree } from "./client/tree.js";
export type { ClientTreeOptions } from "./client/tree.js";
export { ExporterConnection } from "./client/connection.js";
export type { ConnectOptions, CallOptions } from "./client/connection.js";
export { connectExporter } from "./client/connect.js";
export type { ExporterHandle } from "./client/connect.js";
export { allowlistFromEnv, fnmatchcase, isAllowed, emptyAllowlist, unsafeAllowlist } from "./client/allowlist.js";
export type { DriverAllowlist } from "./client/allowlist.js";
export { commandOutput } from "./client/command-output.js";
export type { CommandOutput, CommandOutputTarget } from "./client/command-output.js";

// Exporter session
export { ExporterSession } from "./session/session.js";
export type { SessionOptions } from "./session/session.js";
export { listenSession, exporterServiceDefinition, routerServiceDefinition } from "./session/server.js";
export type { ListenOptions, ServerTls, SessionServer } from "./session/server.js";
export { StatusMachine, ExporterStatus, statusName } from "./session/status.js";
export type { StatusSnapshot } from "./session/status.js";
export { LogBus, LogSource } from "./session/log-bus.js";
export type { LogRecord } from "./session/log-bus.js";

// Streams
export { RouterByteStream } from "./streams/byte-stream.js";
export type { FrameCall } from "./streams/byte-stream.js";
export { grpcClientOptions, openRouterCall } from "./streams/router-call.js";
export type { ClientTls } from "./streams/router-call.js";
export type { RouterByteStreamOptions } from "./streams/byte-stream.js";
export { FrameType, encodeFrame, decodeFrame, frameCodecs } from "./streams/frames.js";
export type { Frame } from "./streams/frames.js";
