/**
 * @module
 * `@jumpstarter/core/testing`: helpers for driver tests.
 */
export { serve } from "./serve.js";
export type { Served, ServeOptions } from "./serve.js";
export { loadVector, vectorCalls, vectorBytes, decodeVectorMessage, vectorsDirectory } from "./vectors.js";
export type { Vector, VectorCall, VectorMessage } from "./vectors.js";
