/**
 * @module
 * Exporter side of resources: turns a handle into a byte stream for the driver.
 */
import { Duplex, PassThrough, Readable } from "node:stream";
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

/** Wraps a raw stream so reads are decompressed and writes compressed. */
function withEncoding(stream: Duplex, encoding: ContentEncoding): Duplex {
  const decompress = createDecompressor(encoding);
  const compress = createCompressor(encoding);
  stream.pipe(decompress);
  compress.pipe(stream);
  const wrapped = Duplex.from({ readable: decompress, writable: compress });
  wrapped.on("close", () => {
    decompress.destroy();
    if (!compress.writableFinished) compress.destroy();
    stream.destroy();
  });
  stream.on("error", (error) => wrapped.destroy(error));
  return wrapped;
}

async function openPresigned(handle: PresignedRequestHandle, signal?: AbortSignal): Promise<Duplex> {
  if (handle.method === "GET") {
    const response = await fetch(handle.url, { headers: handle.headers, redirect: "follow", ...(signal ? { signal } : {}) });
    if (!response.ok || !response.body) {
      throw new ConnectionError(`GET ${handle.url} failed: HTTP ${response.status} ${response.statusText}`);
    }
    const body = Readable.fromWeb(response.body as import("node:stream/web").ReadableStream<Uint8Array>);
    return Duplex.from({ readable: body, writable: new PassThrough().resume() });
  }
  const upload = new PassThrough();
  const request = fetch(handle.url, {
    method: "PUT",
    headers: handle.headers,
    body: Readable.toWeb(upload) as unknown as ReadableStream<Uint8Array>,
    duplex: "half",
    ...(signal ? { signal } : {}),
  } as RequestInit);
  const writable = new PassThrough();
  writable.pipe(upload);
  const done = request.then((response) => {
    if (!response.ok) throw new ConnectionError(`PUT ${handle.url} failed: HTTP ${response.status} ${response.statusText}`);
  });
  const stream = Duplex.from({ readable: Readable.from([]), writable });
  done.catch((error: unknown) => stream.destroy(error as Error));
  return stream;
}
