/**
 * @module
 * `@jumpstarter/driver-example`: the example interface and its client. Exporter-side code lives in
 * `@jumpstarter/driver-example/driver`, so clients never load it.
 */
export { ExampleInterface, EXAMPLE_CLIENT_LABEL } from "./interface.js";
export type { ExampleItem } from "./interface.js";
export { ExampleClient } from "./client.js";
