/**
 * @module
 * `@jumpstarter/grpc-http2`: gRPC on its own HTTP/2 framing, HPACK and flow control.
 * - {@link GrpcServer} serves grpc-js service definitions and handlers. The exporter session runs on it: it never
 *   stops reading its socket (so wide receive windows cannot deadlock a stream busy both ways) and sends a unary
 *   call's response in one write.
 * - {@link GrpcClient} makes bidi-streaming calls without copying messages: the client's raw byte streams.
 */
export { GrpcServer } from "./server.js";
export type { GrpcServerOptions, GrpcServerTls } from "./server.js";
export { BidiCall, ServerStreamCall, UnaryCall } from "./calls.js";
export type { CallStatus } from "./calls.js";
export { ClientBidiCall, GrpcClient } from "./client.js";
export type { ClientCallOptions, ClientCodec, GrpcClientOptions, GrpcClientTls } from "./client.js";
