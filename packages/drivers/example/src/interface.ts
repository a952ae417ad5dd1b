/**
 * @module
 * The example interface: the one place where the wire method names, their argument and result types, and
 * the client label are written. The driver (`driver.ts`) and the client (`client.ts`) are both typed from it,
 * so renaming a method here breaks both at compile time.
 */
import { byteStream, defineInterface, streaming, unary } from "@jumpstarter/core";

/** `jumpstarter.dev/client` label: the Python dotted path of the client class (kept for interop). */
export const EXAMPLE_CLIENT_LABEL = "jumpstarter_driver_example.client.ExampleClient";

/** One item yielded by `get_data`. Values cross the wire as JSON-like data (numbers are doubles). */
export interface ExampleItem {
  readonly index: number;
  readonly message: string;
}

/** The example driver's methods, keyed by their wire names. */
export const ExampleInterface = defineInterface({
  name: "example",
  client: EXAMPLE_CLIENT_LABEL,
  methods: {
    /** Unary call: `query(param)` → greeting. */
    query: unary<[param: string], string>(),
    /** Unary call served by an async method; the wire name keeps the reference's snake_case. */
    async_query: unary<[param: string], string>(),
    /** Streaming call: yields three items, one response message each. */
    get_data: streaming<[], ExampleItem>(),
    /** Raw byte stream (`@exportstream`): a TCP connection opened by the exporter. */
    create_stream: byteStream(),
  },
});
