/**
 * @module
 * A bare grpc-js client for the exporter session services, for tests that must send requests the typed
 * client never would (bad uuids, missing stream metadata, wrong call kinds) and look at raw statuses and
 * metadata.
 */
import * as grpc from "@grpc/grpc-js";
import { exporterServiceDefinition, routerServiceDefinition } from "../session/server.js";
import type { Frame } from "../streams/frames.js";

/** Outcome of a raw call: the responses received and the final status. */
export interface RawOutcome<T> {
  readonly responses: T[];
  readonly code: grpc.status;
  readonly details: string;
}

const ExporterClient = grpc.makeGenericClientConstructor(exporterServiceDefinition, "ExporterService");
const RouterClient = grpc.makeGenericClientConstructor(routerServiceDefinition, "RouterService");

type UnaryFn = (
  request: unknown,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response?: unknown) => void,
) => void;
type ServerStreamFn = (request: unknown, metadata: grpc.Metadata, options: grpc.CallOptions) => grpc.ClientReadableStream<unknown>;

/** Only guards against hangs; no test relies on it. */
const deadline = (): grpc.CallOptions => ({ deadline: Date.now() + 60_000 });
type BidiFn = (metadata: grpc.Metadata) => grpc.ClientDuplexStream<Frame, Frame>;

function toMetadata(entries: Readonly<Record<string, string>>): grpc.Metadata {
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(entries)) metadata.set(key, value);
  return metadata;
}

/** Raw access to one exporter session address. Close it when done. */
export class RawSessionClient {
  readonly #exporter: grpc.Client;
  readonly #router: grpc.Client;

  constructor(address: string, credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure()) {
    this.#exporter = new ExporterClient(address, credentials);
    this.#router = new RouterClient(address, credentials, { channelOverride: this.#exporter.getChannel() });
  }

  /** A unary ExporterService call (`driverCall`, `getStatus`…) that never rejects. */
  unary<T>(method: string, request: unknown, metadata: Readonly<Record<string, string>> = {}): Promise<RawOutcome<T>> {
    const fn = (this.#exporter as unknown as Record<string, UnaryFn>)[method]!.bind(this.#exporter);
    return new Promise((resolve) =>
      fn(request, toMetadata(metadata), deadline(), (error, response) =>
        resolve(
          error
            ? { responses: [], code: error.code, details: error.details }
            : { responses: [response as T], code: grpc.status.OK, details: "" },
        ),
      ),
    );
  }

  /** A server-streaming ExporterService call, collected to its end. */
  serverStream<T>(method: string, request: unknown, metadata: Readonly<Record<string, string>> = {}): Promise<RawOutcome<T>> {
    const fn = (this.#exporter as unknown as Record<string, ServerStreamFn>)[method]!.bind(this.#exporter);
    const call = fn(request, toMetadata(metadata), deadline());
    const responses: T[] = [];
    return new Promise((resolve) => {
      call.on("data", (response: T) => responses.push(response));
      call.on("error", () => {});
      call.on("status", (status: grpc.StatusObject) => resolve({ responses, code: status.code, details: status.details }));
    });
  }

  /** Opens RouterService.Stream with the given call metadata. */
  stream(metadata: Readonly<Record<string, string>>): grpc.ClientDuplexStream<Frame, Frame> {
    const fn = (this.#router as unknown as Record<string, BidiFn>)["stream"]!.bind(this.#router);
    return fn(toMetadata(metadata));
  }

  /** Opens a stream, half-closes it and reports how it ended (for requests that must fail). */
  streamOutcome(metadata: Readonly<Record<string, string>>): Promise<RawOutcome<Frame> & { headers: grpc.Metadata | undefined }> {
    const call = this.stream(metadata);
    const responses: Frame[] = [];
    let headers: grpc.Metadata | undefined;
    return new Promise((resolve) => {
      call.on("metadata", (received: grpc.Metadata) => (headers = received));
      call.on("data", (frame: Frame) => responses.push(frame));
      call.on("error", () => {});
      call.on("status", (status: grpc.StatusObject) => resolve({ responses, code: status.code, details: status.details, headers }));
      call.end();
    });
  }

  close(): void {
    this.#router.close();
    this.#exporter.close();
  }
}
