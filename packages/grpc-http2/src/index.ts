/**
 * @module
 * `@jumpstarter/grpc-http2`: a small gRPC server with its own HTTP/2 framing, serving grpc-js service
 * definitions and handlers. The exporter session runs on it: it never stops reading its socket (so wide
 * receive windows cannot deadlock a stream busy both ways) and sends a unary call's response in one write.
 */
export { GrpcServer } from "./server.js";
export type { GrpcServerOptions, GrpcServerTls } from "./server.js";
export { BidiCall, ServerStreamCall, UnaryCall } from "./calls.js";
export type { CallStatus } from "./calls.js";
