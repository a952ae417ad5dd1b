/**
 * @module
 * Exporter-side byte moves between a resource stream and a file or block device, with backpressure end to
 * end (`pipeline`), optional decompression detected from magic bytes, and errors that name the device.
 */
import { createReadStream, createWriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { Duplex } from "node:stream";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { ConnectionError, InternalError, InvalidArgumentError, JumpstarterError, createDecompressor, sniffEncoding, supportedEncodings } from "@jumpstarter/core";

/** Options of {@link writeImage}. */
export interface WriteImageOptions {
  /** Decompress gzip/zstd images detected by their first bytes (what the reference storage mux does). */
  readonly detectCompression?: boolean;
  readonly signal?: AbortSignal;
  /** Names the destination in errors, e.g. `target "boot"`. */
  readonly label?: string;
}

/**
 * Streams `source` into `path`. Regular files are truncated; block devices are written in place and
 * synced before returning. Resolves with the number of bytes written.
 */
export async function writeImage(source: Readable | Duplex, path: string, options: WriteImageOptions = {}): Promise<number> {
  const label = options.label ?? path;
  const info = await stat(path).catch(() => undefined);
  const block = info?.isBlockDevice() ?? false;
  const input = options.detectCompression ? await decompressDetected(source) : source;
  const output = createWriteStream(path, { flags: block ? "r+" : "w", flush: block, highWaterMark: 1024 * 1024 });
  try {
    await pipeline(input, output, options.signal ? { signal: options.signal } : {});
  } catch (error) {
    source.destroy();
    throw storageError(error, `cannot write ${label}`, path);
  }
  return output.bytesWritten;
}

/** Streams the content of `path` into `target` and ends it. Resolves with the number of bytes read. */
export async function readImage(path: string, target: Duplex, options: { signal?: AbortSignal; label?: string } = {}): Promise<number> {
  const label = options.label ?? path;
  const input = createReadStream(path, { highWaterMark: 1024 * 1024 });
  try {
    await pipeline(input, target, options.signal ? { signal: options.signal } : {});
  } catch (error) {
    target.destroy();
    throw storageError(error, `cannot read ${label}`, path);
  }
  return input.bytesRead;
}

/**
 * Looks at the first bytes of `source`; if they announce gzip or zstd, returns a decompressed stream,
 * otherwise the bytes unchanged. xz and bz2 cannot be decompressed here and are refused.
 */
export async function decompressDetected(source: Readable | Duplex): Promise<Readable> {
  const iterator = (source as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  let head: Buffer = Buffer.alloc(0);
  let finished = false;
  while (head.length < 6) {
    const next = await iterator.next();
    if (next.done) {
      finished = true;
      break;
    }
    head = head.length === 0 ? next.value : Buffer.concat([head, next.value]);
  }
  const rest = Readable.from(
    (async function* () {
      if (head.length > 0) yield head;
      if (!finished) {
        for (;;) {
          const next = await iterator.next();
          if (next.done) break;
          yield next.value;
        }
      }
      // A source destroyed before its end (the client cancelled) also ends the iteration: not a whole image.
      if (!source.readableEnded) throw new ConnectionError("the image stream was closed before its end");
    })(),
    { objectMode: false, highWaterMark: 1024 * 1024 },
  );
  if (finished && !source.readableEnded) {
    rest.destroy();
    throw new ConnectionError("the image stream was closed before its end");
  }
  const encoding = sniffEncoding(head);
  if (encoding === null) return rest;
  if (!supportedEncodings({}).has(encoding)) {
    rest.destroy();
    throw new InvalidArgumentError(`the image is ${encoding}-compressed, which this exporter cannot decompress; decompress it before flashing`);
  }
  const decompressor = createDecompressor(encoding);
  rest.on("error", (error) => decompressor.destroy(error));
  return rest.pipe(decompressor);
}

/** Wraps a file-system failure with what was being done; keeps the status of errors that have one. */
export function storageError(error: unknown, doing: string, path: string): JumpstarterError {
  if (error instanceof JumpstarterError) return error;
  const errno = error as NodeJS.ErrnoException;
  const reason = errno.code === "ENOENT" ? "no such file or directory" : errno.code === "EACCES" ? "permission denied" : (errno.message ?? String(error));
  if (typeof errno.code !== "string" || typeof errno.syscall !== "string") return JumpstarterError.from(error);
  return new InternalError(`${doing} (${path}): ${reason}`, { cause: error });
}
