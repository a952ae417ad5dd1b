/**
 * @module
 * `ExampleDriver`: the exporter side. It answers queries, streams a few items, and opens TCP connections to
 * the server named in its config. Config keys are spelled as in the ExporterConfig YAML (`host`, `port`).
 */
import { once } from "node:events";
import { connect } from "node:net";
import type { Duplex } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import type { DriverMethods, DriverOptions } from "@jumpstarter/core";
import { Driver, InvalidArgumentError, callSignal, exportMethod, exportstream } from "@jumpstarter/core";
import { z } from "zod";
import type { ExampleInterface, ExampleItem } from "./interface.js";
import { EXAMPLE_CLIENT_LABEL } from "./interface.js";

/** `config:` of {@link ExampleDriver}; `.strict()` rejects misspelled keys before the driver is built. */
export const ExampleDriverConfigSchema = z.strictObject({
  host: z.string().min(1).default("127.0.0.1"),
  port: z.number().int().min(1).max(65535),
});

/** Config of {@link ExampleDriver}: the TCP server `create_stream` connects to. */
export type ExampleDriverConfig = z.input<typeof ExampleDriverConfigSchema>;

/** The example driver. `implements DriverMethods<…>` checks every interface method is here, correctly typed. */
export class ExampleDriver extends Driver implements DriverMethods<typeof ExampleInterface> {
  /** Exporters validate `config:` with this before calling the constructor. */
  static readonly configSchema = ExampleDriverConfigSchema;
  readonly host: string;
  readonly port: number;
  readonly #streams = new Set<Duplex>();

  constructor(config: ExampleDriverConfig, options: DriverOptions = {}) {
    super(options);
    this.host = config.host ?? "127.0.0.1";
    this.port = config.port;
  }

  override client(): string {
    return EXAMPLE_CLIENT_LABEL;
  }

  /** A plain method: whatever it returns (or throws) is the call's result (or status). */
  @exportMethod
  query(param: string): string {
    if (typeof param !== "string" || param === "") throw new InvalidArgumentError("query needs a non-empty string");
    this.logger.info(`query(${param})`);
    return `Hello, ${param}!`;
  }

  /** An async method: the call completes when the promise does. `callSignal()` aborts if the caller leaves. */
  @exportMethod
  async async_query(param: string): Promise<string> {
    await sleep(10, undefined, { signal: callSignal() });
    return `Hello, ${param}! (async)`;
  }

  /** An async generator: each yielded value is one StreamingDriverCall response. */
  @exportMethod
  async *get_data(): AsyncGenerator<ExampleItem> {
    for (let index = 0; index < 3; index++) {
      await sleep(5, undefined, { signal: callSignal() });
      yield { index, message: `item ${index}` };
    }
  }

  /**
   * A byte stream: resolve to a Node `Duplex` and the session relays it to the client. Node errors (e.g.
   * ECONNREFUSED) map to gRPC statuses on their own (refused → UNAVAILABLE).
   */
  @exportstream
  async create_stream(): Promise<Duplex> {
    const socket = connect({ host: this.host, port: this.port, allowHalfOpen: true });
    try {
      await once(socket, "connect", { signal: callSignal() });
    } catch (error) {
      socket.destroy();
      throw error;
    }
    this.#streams.add(socket);
    socket.once("close", () => this.#streams.delete(socket));
    return socket;
  }

  /** Release everything the driver opened, then let the base class close children. */
  override async close(): Promise<void> {
    for (const stream of this.#streams) stream.destroy();
    this.#streams.clear();
    await super.close();
  }
}
