/**
 * @module
 * Small helpers shared by the client side of every target.
 */
import type { Readable, Writable } from "node:stream";

/** Resolves on the writable's next `drain`, rejecting if it fails or closes first. */
export function drain(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      stream.off("drain", onDrain);
      stream.off("error", done);
      stream.off("close", onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new Error("stream closed while waiting for drain"));
    stream.on("drain", onDrain);
    stream.on("error", done);
    stream.on("close", onClose);
  });
}

/** Reads a stream to its end and resolves with the number of bytes seen. */
export function readAll(stream: Readable): Promise<number> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    stream.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
    });
    stream.once("end", () => resolve(bytes));
    stream.once("error", reject);
  });
}
