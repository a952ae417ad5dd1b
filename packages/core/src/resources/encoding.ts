/**
 * @module
 * Content encodings this runtime can (de)compress. Node's zlib has gzip and, from Node 22.15, zstd; xz and
 * bz2 have no dependable pure-JS streaming codec, so they are negotiated away (the exporter answers with an
 * unencoded handle and the client sends plain bytes).
 */
import type { Transform } from "node:stream";
import * as zlib from "node:zlib";
import type { ContentEncoding } from "./handle.js";

type ZstdZlib = { createZstdCompress?: () => Transform; createZstdDecompress?: () => Transform };

/** Encodings this process can handle, honouring `JMP_DISABLE_COMPRESSION=1`. */
export function supportedEncodings(env: NodeJS.ProcessEnv = process.env): ReadonlySet<ContentEncoding> {
  if (env["JMP_DISABLE_COMPRESSION"] === "1") return new Set();
  const supported = new Set<ContentEncoding>(["gzip"]);
  if (typeof (zlib as ZstdZlib).createZstdDecompress === "function") supported.add("zstd");
  return supported;
}

/** A transform that decompresses `encoding`. */
export function createDecompressor(encoding: ContentEncoding): Transform {
  if (encoding === "gzip") return zlib.createGunzip();
  const create = (zlib as ZstdZlib).createZstdDecompress;
  if (encoding === "zstd" && create) return create();
  throw new Error(`content encoding ${encoding} is not supported by this Node runtime`);
}

/** A transform that compresses into `encoding`. */
export function createCompressor(encoding: ContentEncoding): Transform {
  if (encoding === "gzip") return zlib.createGzip();
  const create = (zlib as ZstdZlib).createZstdCompress;
  if (encoding === "zstd" && create) return create();
  throw new Error(`content encoding ${encoding} is not supported by this Node runtime`);
}

/** Guesses the encoding of a file from its first bytes (magic numbers), or null for plain data. */
export function sniffEncoding(head: Uint8Array): ContentEncoding | null {
  if (head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return "zstd";
  if (head[0] === 0xfd && head[1] === 0x37 && head[2] === 0x7a && head[3] === 0x58 && head[4] === 0x5a) return "xz";
  if (head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) return "bz2";
  return null;
}
