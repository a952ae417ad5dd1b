/**
 * @module
 * A grpc-js client that sends recorded request bytes unchanged and hands back the raw response bytes, so
 * replayed calls are byte-for-byte what the reference client sent. Test support only.
 */
import * as grpc from "@grpc/grpc-js";

/** What one replayed call produced. */
export interface RawResult {
  readonly responses: Buffer[];
  readonly code: grpc.status;
  readonly details: string;
  /** Custom keys of the response headers (transport headers left out). */
  readonly headerKeys: string[];
  /** Custom keys of the response trailers, where the client reports them. */
  readonly trailerKeys?: string[];
}

const identity = (bytes: Buffer) => bytes;
const transportHeaders = new Set(["content-type", "date", "grpc-accept-encoding", "grpc-encoding", "content-length"]);

function method(path: string, responseStream: boolean, requestStream: boolean): grpc.MethodDefinition<Buffer, Buffer> {
  return {
    path,
    originalName: path.slice(path.lastIndexOf("/") + 1),
    requestStream,
    responseStream,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  };
}

/** Sends raw recorded requests to an exporter session address. */
export class RawReplayClient {
  readonly #client: grpc.Client;

  constructor(address: string) {
    this.#client = new grpc.Client(address, grpc.credentials.createInsecure());
  }

  /** A unary or server-streaming call with one raw request. */
  call(path: string, request: Buffer, streaming: boolean): Promise<RawResult> {
    return new Promise((resolve) => {
      const responses: Buffer[] = [];
      let headerKeys: string[] = [];
      const deadline = { deadline: Date.now() + 60_000 };
      const settle = (status: grpc.StatusObject) => resolve({ responses, code: status.code, details: status.details, headerKeys });
      const onHeaders = (metadata: grpc.Metadata) => (headerKeys = customKeys(metadata));
      if (streaming) {
        const definition = method(path, true, false);
        const call = this.#client.makeServerStreamRequest(path, definition.requestSerialize, definition.responseDeserialize, request, new grpc.Metadata(), deadline);
        call.on("metadata", onHeaders);
        call.on("data", (bytes: Buffer) => responses.push(bytes));
        call.on("error", () => {});
        call.on("status", settle);
        return;
      }
      const definition = method(path, false, false);
      const call = this.#client.makeUnaryRequest(path, definition.requestSerialize, definition.responseDeserialize, request, new grpc.Metadata(), deadline, (error, response) => {
        if (!error && response) responses.push(response);
      });
      call.on("metadata", onHeaders);
      call.on("status", settle);
    });
  }

  /** Opens a bidirectional raw call with request metadata. */
  bidi(path: string, metadata: Readonly<Record<string, string>>): grpc.ClientDuplexStream<Buffer, Buffer> {
    const definition = method(path, true, true);
    const md = new grpc.Metadata();
    for (const [key, value] of Object.entries(metadata)) md.set(key, value);
    return this.#client.makeBidiStreamRequest(path, definition.requestSerialize, definition.responseDeserialize, md, { deadline: Date.now() + 60_000 });
  }

  close(): void {
    this.#client.close();
  }
}

/** Header keys other than the transport's own. */
export function customKeys(metadata: grpc.Metadata): string[] {
  return Object.keys(metadata.getMap()).filter((key) => !transportHeaders.has(key));
}
