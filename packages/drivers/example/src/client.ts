/**
 * @module
 * `ExampleClient`: the client side, typed by the interface. It is registered under the client label so
 * `j` and `connectExporter` build it for every driver that reports that label.
 */
import type { Duplex } from "node:stream";
import { InterfaceClient, JumpstarterError, registerClientClass } from "@jumpstarter/core";
import type { ExampleItem } from "./interface.js";
import { EXAMPLE_CLIENT_LABEL, ExampleInterface } from "./interface.js";

/** Values arrive as plain JSON-like data: check their shape at the edge. */
function toItem(value: unknown): ExampleItem {
  const item = value as Partial<ExampleItem> | null;
  if (typeof item?.index !== "number" || typeof item.message !== "string") {
    throw new JumpstarterError(`get_data yielded a malformed item: ${JSON.stringify(value)}`);
  }
  return { index: item.index, message: item.message };
}

/** Client of {@link ExampleInterface}. Method names here are idiomatic; wire names stay in the interface. */
export class ExampleClient extends InterfaceClient<typeof ExampleInterface> {
  /** `query` on the exporter. */
  query(param: string): Promise<string> {
    return this.invoke("query", param);
  }

  /** `async_query` on the exporter. */
  asyncQuery(param: string): Promise<string> {
    return this.invoke("async_query", param);
  }

  /** `get_data` on the exporter, item by item. */
  async *getData(): AsyncGenerator<ExampleItem> {
    for await (const value of this.invokeStreaming("get_data")) yield toItem(value);
  }

  /** Opens `create_stream`: a byte stream to the exporter-side TCP server. */
  createStream(): Promise<Duplex> {
    return this.stream("create_stream");
  }
}

registerClientClass(EXAMPLE_CLIENT_LABEL, ExampleClient);
