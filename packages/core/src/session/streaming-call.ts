/**
 * @module
 * Drives the iterator of a streaming driver call into a server-streaming gRPC call: one message per yielded
 * value, paced by the caller's flow control, and the iterator always closed (its `finally` runs) when the
 * caller leaves, the call fails or a value cannot be encoded.
 */
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import type * as grpc from "@grpc/grpc-js";
import type { StreamingDriverCallResponse } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import { StreamingDriverCallResponseSchema } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import { toValue } from "../codec.js";
import { InvalidArgumentError } from "../errors.js";
import { runWithCallSignal } from "./call-context.js";

type ResponseStream = grpc.ServerWritableStream<unknown, StreamingDriverCallResponse>;

/** Resolves once `call` can take more messages or `signal` aborts. */
function writable(call: ResponseStream, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      call.off("drain", done);
      signal.removeEventListener("abort", done);
      resolve();
    };
    call.on("drain", done);
    signal.addEventListener("abort", done, { once: true });
  });
}

function iteratorOf(result: unknown): AsyncIterator<unknown> | Iterator<unknown> {
  if (result !== null && typeof result === "object") {
    if (Symbol.asyncIterator in result) return (result as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    if (Symbol.iterator in result && typeof result !== "string") return (result as Iterable<unknown>)[Symbol.iterator]();
  }
  throw new InvalidArgumentError("a streaming driver method must return an iterable");
}

/**
 * Sends every value of `result` on `call`. Resolves `true` when the iterator finished, `false` when `signal`
 * aborted first; rejects with the iterator's (or the encoder's) error. The caller ends the call.
 */
export async function pumpStreamingCall(call: ResponseStream, result: unknown, signal: AbortSignal): Promise<boolean> {
  const iterator = iteratorOf(result);
  let finished = false;
  try {
    for (;;) {
      const next = await runWithCallSignal(signal, () => iterator.next());
      if (next.done) {
        finished = true;
        return true;
      }
      if (signal.aborted) return false;
      const response = create(StreamingDriverCallResponseSchema, { uuid: randomUUID(), result: toValue(next.value) });
      if (!call.write(response)) await writable(call, signal);
      if (signal.aborted) return false;
    }
  } finally {
    if (!finished) {
      // Runs the generator's `finally`; its own failure there has nobody left to report to.
      await Promise.resolve(iterator.return?.()).catch(() => {});
    }
  }
}
