/**
 * @module
 * `@jumpstarter/driver-composite`: the composite interface and its client. Exporter-side drivers
 * (`Composite`, `Proxy`) are in `@jumpstarter/driver-composite/driver`.
 */
export { CompositeInterface, COMPOSITE_CLIENT } from "./interface.js";
export { CompositeClient } from "./client.js";
export type { ClientType } from "./client.js";
