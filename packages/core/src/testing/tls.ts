/**
 * @module
 * A throwaway self-signed certificate for tests of TLS listeners (from `@jumpstarter/grpc-http2/testing`).
 */
export { selfSignedCertificate } from "@jumpstarter/grpc-http2/testing";
export type { TestCertificate } from "@jumpstarter/grpc-http2/testing";
