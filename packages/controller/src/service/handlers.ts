/**
 * @module
 * Adapters from async functions to grpc-js handlers, with the one error → status mapping of the controller:
 * a JumpstarterError keeps its code, anything else travels as UNKNOWN with its message (the reference returns
 * plain Go errors that way).
 */
import type { handleServerStreamingCall, handleUnaryCall, ServerUnaryCall, ServerWritableStream, StatusObject } from "@grpc/grpc-js";
import { Metadata } from "@grpc/grpc-js";
import { Code, JumpstarterError } from "@jumpstarter/core";
import { StoreConflictError } from "../store/errors.js";

/** The status an error is sent as. */
export function statusOf(error: unknown): Partial<StatusObject> & { code: Code; details: string } {
  if (error instanceof JumpstarterError) return { code: error.code, details: error.message, metadata: new Metadata() };
  if (error instanceof StoreConflictError) return { code: Code.ABORTED, details: error.message, metadata: new Metadata() };
  const details = error instanceof Error ? error.message : String(error);
  return { code: Code.UNKNOWN, details, metadata: new Metadata() };
}

/** Wraps an async unary implementation. */
export function unary<Req, Res>(implementation: (request: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res>): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    implementation(call.request, call).then(
      (response) => callback(null, response),
      (error: unknown) => callback(statusOf(error)),
    );
  };
}

/**
 * Wraps an async server-streaming implementation: it writes with `call.write`, resolves to end the call OK and
 * rejects to end it with a status. `signal` aborts when the caller cancels.
 */
export function serverStream<Req, Res>(
  implementation: (request: Req, call: ServerWritableStream<Req, Res>, signal: AbortSignal) => Promise<void>,
): handleServerStreamingCall<Req, Res> {
  return (call) => {
    const controller = new AbortController();
    const abort = () => controller.abort();
    call.once("cancelled", abort);
    implementation(call.request, call, controller.signal).then(
      () => {
        call.off("cancelled", abort);
        if (!call.cancelled) call.end();
      },
      (error: unknown) => {
        call.off("cancelled", abort);
        if (!call.cancelled) call.emit("error", statusOf(error));
      },
    );
  };
}

/** Resolves when `signal` aborts. */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

/** Sleeps `ms`, ending early (without error) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
