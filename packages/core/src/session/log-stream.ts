/**
 * @module
 * `ExporterService.LogStream`: forwards log records to one subscriber call while it lasts. A reader that
 * falls behind holds at most {@link LOG_BACKLOG} records; older ones are dropped, as the reference's bounded
 * queue does.
 */
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type * as grpc from "@grpc/grpc-js";
import type { LogStreamResponse } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import { LogStreamResponseSchema } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import type { LogBus, LogRecord } from "./log-bus.js";

/** Records kept for a LogStream reader that does not keep up. */
export const LOG_BACKLOG = 256;

function toResponse(record: LogRecord): LogStreamResponse {
  return create(LogStreamResponseSchema, {
    uuid: "",
    severity: record.severity,
    message: record.message,
    source: record.source,
    ...(record.driverType !== undefined ? { driverType: record.driverType } : {}),
    ...(record.operation !== undefined ? { operation: record.operation } : {}),
    timestamp: timestampFromDate(record.timestamp),
    structuredFields: { ...record.fields },
  });
}

/**
 * Subscribes `call` to `logs` until the caller leaves. Returns a function that ends the call from the server
 * side (session close).
 */
export function serveLogStream(logs: LogBus, call: grpc.ServerWritableStream<unknown, LogStreamResponse>): () => void {
  const backlog: LogRecord[] = [];
  let blocked = false;
  let done = false;
  const flush = () => {
    blocked = false;
    while (backlog.length > 0 && !blocked) blocked = !call.write(toResponse(backlog.shift()!));
  };
  const unsubscribe = logs.subscribe((record) => {
    if (!blocked) {
      blocked = !call.write(toResponse(record));
      return;
    }
    if (backlog.length >= LOG_BACKLOG) backlog.shift();
    backlog.push(record);
  });
  const stop = () => {
    if (done) return;
    done = true;
    unsubscribe();
    backlog.length = 0;
    call.off("drain", flush);
  };
  call.on("drain", flush);
  call.once("cancelled", stop);
  call.once("close", stop);
  call.once("error", stop);
  return () => {
    if (done) return;
    stop();
    call.end();
  };
}
