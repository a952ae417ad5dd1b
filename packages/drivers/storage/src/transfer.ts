/**
 * @module
 * Exporter-side byte moves between a resource stream and a file or block device, with backpressure end to
 * end (`pipeline`), optional decompression detected from magic bytes, and errors that name the device.
 */
import { createReadStream, createWriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { Duplex, Transform } from "node:stream";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { ConnectionError, InternalError, InvalidArgumentError, JumpstarterError, createDecompressor, sniffEncoding, supportedEncodings } from "@jumpstarter/core";
import type { ContentEncoding } from "@jumpstarter/core";

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
  let stages: Array<Readable | Duplex | Transform>;
  try {
    if (options.detectCompression) {
      const { stream, encoding } = await sniffStream(source);
      stages = encoding === null ? [stream] : [stream, decompressorFor(encoding)];
    } else {
      stages = [source];
    }
  } catch (error) {
    source.destroy();
    throw error;
  }
  const output = createWriteStream(path, { flags: block ? "r+" : "w", flush: block, highWaterMark: 1024 * 1024 });
  try {
    await pipeline([...stages, output], options.signal ? { signal: options.signal } : {});
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

/** Number of leading bytes that identify a compressed image. */
const magicLength = 6;

/**
 * Looks at the first bytes of `source` without consuming them. Returns the stream to read from (the same
 * one, unless it was short enough to end while peeking) and the compression its magic bytes announce.
 */
export async function sniffStream(source: Readable | Duplex): Promise<{ readonly stream: Readable; readonly encoding: ContentEncoding | null }> {
  let head: Buffer = Buffer.alloc(0);
  while (head.length < magicLength) {
    const chunk = source.read() as Buffer | null;
    if (chunk !== null) {
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      continue;
    }
    if (source.readableEnded) break;
    if (source.destroyed) throw new ConnectionError("the image stream was closed before its end");
    await new Promise<void>((resolve) => {
      const done = () => {
        source.off("readable", done);
        source.off("end", done);
        source.off("close", done);
        resolve();
      };
      source.once("readable", done);
      source.once("end", done);
      source.once("close", done);
    });
  }
  const encoding = sniffEncoding(head);
  if (source.readableEnded) return { stream: Readable.from(head.length > 0 ? [head] : [], { objectMode: false }), encoding };
  if (head.length > 0) source.unshift(head);
  return { stream: source, encoding };
}

/** The decompressor for `encoding`, refusing encodings this runtime cannot handle. */
function decompressorFor(encoding: ContentEncoding): Transform {
  if (!supportedEncodings({}).has(encoding)) {
    throw new InvalidArgumentError(`the image is ${encoding}-compressed, which this exporter cannot decompress; decompress it before flashing`);
  }
  return createDecompressor(encoding);
}

/** Wraps a file-system failure with what was being done; keeps the status of errors that have one. */
export function storageError(error: unknown, doing: string, path: string): JumpstarterError {
  if (error instanceof JumpstarterError) return error;
  const errno = error as NodeJS.ErrnoException;
  const reason = errno.code === "ENOENT" ? "no such file or directory" : errno.code === "EACCES" ? "permission denied" : (errno.message ?? String(error));
  if (typeof errno.code !== "string" || typeof errno.syscall !== "string") return JumpstarterError.from(error);
  return new InternalError(`${doing} (${path}): ${reason}`, { cause: error });
}
