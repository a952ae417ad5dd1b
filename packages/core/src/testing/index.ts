/**
 * @module
 * `@jumpstarter/core/testing`: helpers for driver tests.
 */
export { serve } from "./serve.js";
export type { Served, ServeOptions } from "./serve.js";
