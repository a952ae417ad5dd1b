/**
 * @module
 * Transparent decompression of flashed images: the first bytes of the data decide. gzip and zstd are
 * decoded by Node's zlib; xz and bzip2 by the `xz` / `bzip2` tools when the exporter has them.
 */
import { spawn } from "node:child_process";
import { Duplex, PassThrough, Readable } from "node:stream";
import { createDecompressor, InvalidArgumentError, sniffEncoding, supportedEncodings } from "@jumpstarter/core";
import type { ContentEncoding } from "@jumpstarter/core";
import { preconditionError } from "./disk.js";
import { findExecutable } from "./host.js";

const magicLength = 6;

/** Yields `source` decompressed when it starts with a gzip, zstd, xz or bzip2 header, unchanged otherwise. */
export async function* autoDecompress(source: AsyncIterable<Buffer>, onFormat?: (format: ContentEncoding | null) => void): AsyncGenerator<Buffer> {
  const iterator = source[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headLength = 0;
  let ended = false;
  while (headLength < magicLength) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    head.push(next.value);
    headLength += next.value.length;
  }
  const rest = async function* (): AsyncGenerator<Buffer> {
    yield* head;
    if (ended) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  };
  const format = sniffEncoding(Buffer.concat(head));
  onFormat?.(format);
  if (format === null) {
    yield* rest();
    return;
  }
  const decoder = decoderFor(format);
  const input = Readable.from(rest());
  input.on("error", (error) => decoder.destroy(error));
  input.pipe(decoder);
  try {
    for await (const chunk of decoder) yield chunk as Buffer;
  } finally {
    input.destroy();
    decoder.destroy();
  }
}

function decoderFor(format: ContentEncoding): Duplex {
  if (supportedEncodings({}).has(format)) return createDecompressor(format);
  const tools: Readonly<Record<string, [string, string]>> = { xz: ["xz", "xz-utils"], bz2: ["bzip2", "bzip2"], zstd: ["zstd", "zstd"] };
  const [tool, debianPackage] = tools[format] ?? [format, format];
  const binary = findExecutable(tool);
  if (!binary) throw preconditionError(`the image is ${format}-compressed and the exporter has no ${tool} to decompress it (apt-get install ${debianPackage})`);
  return toolDecoder(binary, tool, format);
}

/** `tool -dc` as a duplex stream; a non-zero exit becomes a stream error quoting the tool's message. */
function toolDecoder(binary: string, tool: string, format: string): Duplex {
  const child = spawn(binary, ["-dc"], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (text: string) => {
    stderr = (stderr + text).slice(-2000);
  });
  const exit = new Promise<number | null>((resolve) => {
    child.once("close", (code) => resolve(code));
    child.once("error", () => resolve(-1));
  });
  const output = new PassThrough();
  child.stdout.pipe(output, { end: false });
  child.stdout.once("end", () => {
    void exit.then((code) => {
      if (code === 0) output.end();
      else output.destroy(new InvalidArgumentError(`${format} decompression failed (${tool} exit ${code}): ${stderr.trim() || "corrupt data"}`));
    });
  });
  child.stdin.on("error", () => {});
  const duplex = Duplex.from({ writable: child.stdin, readable: output });
  duplex.once("close", () => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  return duplex;
}
