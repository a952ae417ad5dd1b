/**
 * @module
 * Client-side image sources and sinks: a local file streamed through a resource (its compression sniffed
 * from the first bytes and announced so the exporter decompresses), or an http(s) URL the exporter fetches
 * itself. Progress is reported as bytes move.
 */
import { open, rm } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { Transform, Writable } from "node:stream";
import { InvalidArgumentError, isContentEncoding, sniffEncoding } from "@jumpstarter/core";
import type { CallOptions, ContentEncoding, DriverClient, PresignedRequestHandle, ResourceHandle } from "@jumpstarter/core";

/** Bytes moved so far, and the total when known. */
export interface TransferProgress {
  readonly bytes: number;
  readonly total?: number;
}

/** Options shared by flash and dump. */
export interface TransferOptions {
  /** Named target (partition) on flashers; `null`/absent for the default. */
  readonly target?: string | null;
  /**
   * Compression of the image: detected from its first bytes when absent, `null` to send it as is. On dump,
   * the encoding the exporter should compress the dump with.
   */
  readonly compression?: ContentEncoding | null;
  /** Called as bytes move (local files only). */
  readonly onProgress?: (progress: TransferProgress) => void;
  readonly signal?: AbortSignal;
}

/** Whether `source` is an http(s) URL rather than a local path. */
export function isHttpUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/** Gives `use` a handle from which the exporter reads the image at `source` (a path or http(s) URL). */
export async function withImageSource<T>(
  client: DriverClient,
  source: string,
  options: TransferOptions,
  use: (handle: ResourceHandle) => Promise<T>,
): Promise<T> {
  if (isHttpUrl(source)) {
    if (options.compression) throw new InvalidArgumentError("compression cannot be set for a URL: the exporter detects it from the downloaded bytes");
    const handle: PresignedRequestHandle = { kind: "presigned_request", url: source, method: "GET", headers: {} };
    return use(handle);
  }
  checkEncoding(options.compression);
  const file = await openLocal(source, "r", "cannot read image");
  let encoding: ContentEncoding | null;
  let total: number;
  try {
    const head = Buffer.alloc(8);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    encoding = options.compression === undefined ? sniffEncoding(head.subarray(0, bytesRead)) : options.compression;
    total = (await file.stat()).size;
  } catch (error) {
    await file.close();
    throw error;
  }
  const reader = file.createReadStream({ start: 0, highWaterMark: 1024 * 1024 });
  let bytes = 0;
  const counter = new Transform({
    highWaterMark: 1024 * 1024,
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      options.onProgress?.({ bytes, total });
      callback(null, chunk);
    },
  });
  reader.on("error", (error) => counter.destroy(error));
  counter.on("close", () => reader.destroy());
  reader.pipe(counter);
  const result = await client.withResource({ source: counter, contentEncoding: encoding }, use, callOptions(options));
  // An aborted upload may look complete to the driver; the caller asked to stop, so it did not succeed.
  options.signal?.throwIfAborted();
  return result;
}

/** Gives `use` a handle into which the exporter writes, saved to the local file `path`. */
export async function withDumpTarget<T>(
  client: DriverClient,
  path: string,
  options: TransferOptions,
  use: (handle: ResourceHandle) => Promise<T>,
): Promise<T> {
  if (isHttpUrl(path)) throw new InvalidArgumentError("dumping to a URL is not supported; give a local path");
  checkEncoding(options.compression);
  const file = await openLocal(path, "w", "cannot write dump to");
  const sink = fileSink(file, options.onProgress);
  try {
    return await client.withResource({ sink, contentEncoding: options.compression ?? null }, use, callOptions(options));
  } catch (error) {
    // A partial dump must not be mistaken for a whole one.
    sink.destroy();
    await file.close().catch(() => {});
    await rm(path, { force: true });
    throw error;
  } finally {
    if (!sink.destroyed) sink.destroy();
    await file.close().catch(() => {});
  }
}

function callOptions(options: TransferOptions): CallOptions {
  return options.signal ? { signal: options.signal } : {};
}

function checkEncoding(encoding: unknown): void {
  if (encoding !== undefined && encoding !== null && !isContentEncoding(encoding)) {
    throw new InvalidArgumentError(`unknown compression ${JSON.stringify(encoding)} (gzip, zstd, xz or bz2)`);
  }
}

async function openLocal(path: string, flags: "r" | "w", doing: string): Promise<FileHandle> {
  try {
    return await open(path, flags);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file or directory" : code === "EACCES" ? "permission denied" : code === "EISDIR" ? "is a directory" : (error as Error).message;
    throw new InvalidArgumentError(`${doing} ${path}: ${reason}`, { cause: error });
  }
}

/** A writable into an open file that counts bytes; the file is flushed and closed on finish. */
function fileSink(file: FileHandle, onProgress: TransferOptions["onProgress"]): Writable {
  let bytes = 0;
  return new Writable({
    highWaterMark: 1024 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      file.write(chunk).then(() => {
        bytes += chunk.length;
        onProgress?.({ bytes });
        callback();
      }, callback);
    },
    writev(chunks, callback) {
      const buffers = chunks.map(({ chunk }) => chunk as Buffer);
      file.writev(buffers).then(({ bytesWritten }) => {
        bytes += bytesWritten;
        onProgress?.({ bytes });
        callback();
      }, callback);
    },
    final(callback) {
      file.close().then(() => callback(), callback);
    },
  });
}
