/**
 * @module
 * `@jumpstarter/core/testing`: helpers for driver tests.
 */
export { serve } from "./serve.js";
export type { Served, ServeOptions } from "./serve.js";
export { loadVector, vectorCalls, vectorBytes, decodeVectorMessage, vectorsDirectory } from "./vectors.js";
export type { Vector, VectorCall, VectorMessage } from "./vectors.js";
export { RawSessionClient } from "./raw-client.js";
export type { RawOutcome } from "./raw-client.js";
export { within, eventually, settled, deferred, HANG_GUARD_MS } from "./wait.js";
export { selfSignedCertificate } from "./tls.js";
export type { TestCertificate } from "./tls.js";
