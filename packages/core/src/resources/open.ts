/**
 * @module
 * Exporter side of resources: turns a handle into a byte stream for the driver.
 */
import { Duplex, PassThrough, Readable, Writable } from "node:stream";
import type { Transform } from "node:stream";
import type { Driver } from "../driver/driver.js";
import { ConnectionError } from "../errors.js";
import { createCompressor, createDecompressor } from "./encoding.js";
import type { ContentEncoding, PresignedRequestHandle } from "./handle.js";
import { parseResourceHandle } from "./handle.js";

/** Opens `handle` for `driver`. */
export async function openResource(driver: Driver, handle: unknown, options: { signal?: AbortSignal }): Promise<Duplex> {
  const parsed = parseResourceHandle(handle);
  if (parsed.kind === "presigned_request") return openPresigned(parsed, options.signal);
  const stream = driver.takeResource(parsed.uuid);
  return parsed.x_jmp_content_encoding ? withEncoding(stream, parsed.x_jmp_content_encoding) : stream;
}

/**
 * Wraps a raw stream so reads are decompressed and writes compressed. The decompressor starts with the first
 * byte: a client that sends nothing (a download) is an empty upload, not a truncated compressed one.
 */
function withEncoding(stream: Duplex, encoding: ContentEncoding): Duplex {
  const plain = new PassThrough();
  let decompress: Transform | undefined;
  const onEmptyEnd = () => plain.end();
  stream.once("end", onEmptyEnd);
  stream.once("data", (first: Buffer) => {
    stream.off("end", onEmptyEnd);
    decompress = createDecompressor(encoding);
    decompress.once("error", (error) => wrapped.destroy(error));
    decompress.pipe(plain);
    decompress.write(first);
    stream.pipe(decompress);
  });
  const compress = createCompressor(encoding);
  compress.pipe(stream);
  const wrapped = Duplex.from({ readable: plain, writable: compress });
  wrapped.on("close", () => {
    decompress?.destroy();
    if (!compress.writableFinished) compress.destroy();
    stream.destroy();
  });
  stream.on("error", (error) => wrapped.destroy(error));
  return wrapped;
}

/** A network-level fetch failure (refused, reset, DNS…) as a connection error; aborts stay aborts. */
function fetchFailure(method: string, url: string, error: unknown): unknown {
  if (error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError")) return error;
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ConnectionError(`${method} ${url} failed: ${reason}`, { cause: error });
}

async function openPresigned(handle: PresignedRequestHandle, signal?: AbortSignal): Promise<Duplex> {
  if (handle.method === "GET") {
    const response = await fetch(handle.url, { headers: handle.headers, redirect: "follow", ...(signal ? { signal } : {}) }).catch(
      (error: unknown) => Promise.reject(fetchFailure("GET", handle.url, error)),
    );
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new ConnectionError(`GET ${handle.url} failed: HTTP ${response.status} ${response.statusText}`);
    }
    const body = Readable.fromWeb(response.body as import("node:stream/web").ReadableStream<Uint8Array>);
    return Duplex.from({ readable: body, writable: new PassThrough().resume() });
  }
  const body = new PassThrough();
  const response = fetch(handle.url, {
    method: "PUT",
    headers: handle.headers,
    body: Readable.toWeb(body) as unknown as ReadableStream<Uint8Array>,
    duplex: "half",
    ...(signal ? { signal } : {}),
  } as RequestInit).then(
    async (answer) => {
      await answer.body?.cancel();
      if (!answer.ok) throw new ConnectionError(`PUT ${handle.url} failed: HTTP ${answer.status} ${answer.statusText}`);
    },
    (error: unknown) => Promise.reject(fetchFailure("PUT", handle.url, error)),
  );
  // Ending the upload waits for the server's answer, so a driver that returns after end() knows it landed.
  const upload = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (body.write(chunk)) callback();
      else body.once("drain", () => callback());
    },
    final(callback) {
      body.end();
      response.then(() => callback(), callback);
    },
    destroy(error, callback) {
      body.destroy(error ?? undefined);
      callback(error);
    },
  });
  response.catch((error: unknown) => upload.destroy(error instanceof Error ? error : new ConnectionError(String(error))));
  return Duplex.from({ readable: Readable.from([]), writable: upload });
}
