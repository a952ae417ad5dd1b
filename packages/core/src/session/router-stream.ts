/**
 * @module
 * `RouterService.Stream` on an exporter session (spec driver-calls §5–6): a raw `@exportstream` relay or a
 * client resource stream, chosen by the JSON `request` call metadata.
 */
import { randomUUID } from "node:crypto";
import type { Duplex } from "node:stream";
import type * as grpc from "@grpc/grpc-js";
import { Metadata } from "@grpc/grpc-js";
import type { Driver } from "../driver/driver.js";
import { Code, JumpstarterError } from "../errors.js";
import { supportedEncodings } from "../resources/encoding.js";
import type { ClientStreamHandle, ContentEncoding } from "../resources/handle.js";
import { isContentEncoding } from "../resources/handle.js";
import { RouterByteStream } from "../streams/byte-stream.js";
import type { Frame } from "../streams/frames.js";
import { runWithCallSignal } from "./call-context.js";
import { resolveMethod } from "./driver-lookup.js";

/** What a stream needs from its session. */
export interface StreamHost {
  driver(uuid: string): Driver;
  checkReady(): void;
  /** Destroys `stream` when the session closes. */
  track(stream: Duplex): void;
  /** An abort controller the session aborts when it closes; `release` forgets it. */
  callController(): { controller: AbortController; release: () => void };
}

/** A parsed `request` metadata value. */
export type StreamRequest =
  | { readonly kind: "driver"; readonly uuid: string; readonly method: string }
  | { readonly kind: "resource"; readonly uuid: string; readonly encoding: ContentEncoding | null };

function unhandled(type: string, text: string): JumpstarterError {
  return new JumpstarterError(`Unexpected <class '${type}'>: ${text}`, Code.UNKNOWN);
}

/** Parses the `request` metadata of a RouterService.Stream call; anything unusable fails with UNKNOWN. */
export function parseStreamRequest(raw: string | Buffer | undefined): StreamRequest {
  if (raw === undefined) throw unhandled("KeyError", "'request'");
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString());
  } catch {
    throw unhandled("ValueError", `'request' metadata is not valid JSON: ${raw.toString().slice(0, 200)}`);
  }
  const record = (typeof parsed === "object" && parsed !== null ? parsed : {}) as Record<string, unknown>;
  if (typeof record["uuid"] !== "string") throw unhandled("ValueError", "stream request without a uuid");
  if (record["kind"] === "driver") {
    return { kind: "driver", uuid: record["uuid"], method: typeof record["method"] === "string" ? record["method"] : "connect" };
  }
  if (record["kind"] === "resource") {
    const encoding = record["x_jmp_content_encoding"] ?? null;
    return { kind: "resource", uuid: record["uuid"], encoding: isContentEncoding(encoding) ? encoding : null };
  }
  throw unhandled("ValueError", `unknown stream request kind ${JSON.stringify(record["kind"]) ?? "undefined"}`);
}

/** Serves one RouterService.Stream call; a rejection is the status to fail the call with. */
export async function serveRouterStream(host: StreamHost, call: grpc.ServerDuplexStream<Frame, Frame>): Promise<void> {
  const request = parseStreamRequest(call.metadata.get("request")[0]);
  const driver = host.driver(request.uuid);
  if (request.kind === "driver") return serveDriverStream(host, call, driver, request.method);
  serveResource(host, call, driver, request.encoding);
}

async function serveDriverStream(host: StreamHost, call: grpc.ServerDuplexStream<Frame, Frame>, driver: Driver, name: string): Promise<void> {
  host.checkReady();
  const { fn } = resolveMethod(driver, name, "stream");
  const { controller, release } = host.callController();
  const onCancel = () => controller.abort(new JumpstarterError("the caller cancelled the stream", Code.CANCELLED));
  call.once("cancelled", onCancel);
  let target: Duplex;
  try {
    target = (await runWithCallSignal(controller.signal, () => fn.call(driver))) as Duplex;
  } catch (error) {
    call.off("cancelled", onCancel);
    release();
    throw error;
  }
  if (controller.signal.aborted) {
    release();
    target.destroy();
    return;
  }
  call.sendMetadata(new Metadata());
  // A driver stream in object mode deals in messages: one frame per message out, one chunk per frame in.
  const bytes = new RouterByteStream(call, "server", { framePerWrite: target.readableObjectMode, keepBoundaries: target.writableObjectMode });
  bytes.once("close", () => {
    call.off("cancelled", onCancel);
    controller.abort(new JumpstarterError("the stream closed", Code.CANCELLED));
    release();
  });
  relay(host, bytes, target);
}

/** Relays bytes both ways, half-closes included; either side closing tears the other down. */
function relay(host: StreamHost, bytes: RouterByteStream, target: Duplex): void {
  host.track(bytes);
  host.track(target);
  bytes.pipe(target);
  target.pipe(bytes);
  target.once("error", (error) => bytes.destroy(error));
  bytes.once("error", () => target.destroy());
  bytes.once("close", () => target.destroy());
  target.once("close", () => {
    // The device side is gone: send what is buffered, then GOAWAY, then end the call.
    if (bytes.destroyed) return;
    if (bytes.writableFinished) bytes.destroy();
    else {
      bytes.once("finish", () => bytes.destroy());
      if (!bytes.writableEnded) bytes.end();
    }
  });
}

function serveResource(
  host: StreamHost,
  call: grpc.ServerDuplexStream<Frame, Frame>,
  driver: Driver,
  requested: ContentEncoding | null,
): void {
  const accepted = requested !== null && supportedEncodings().has(requested) ? requested : null;
  const handle: ClientStreamHandle = { kind: "client_stream", uuid: randomUUID(), x_jmp_content_encoding: accepted };
  const bytes = new RouterByteStream(call, "server");
  host.track(bytes);
  driver.resources.set(handle.uuid, bytes);
  bytes.once("close", () => {
    if (driver.resources.get(handle.uuid) === bytes) driver.resources.delete(handle.uuid);
  });
  const metadata = new Metadata();
  metadata.set("resource", JSON.stringify(handle));
  if (accepted !== null) metadata.set("x_jmp_accept_encoding", accepted);
  call.sendMetadata(metadata);
}
