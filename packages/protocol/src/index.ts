/**
 * @module
 * `@jumpstarter/protocol`: the grpc-js adapter for the generated protobuf-es code. The generated messages and
 * services themselves are imported from their own subpaths, e.g.
 * `@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb`.
 */
export { grpcServiceDefinition, serializerFor, deserializerFor } from "./grpc.js";
export type { CodecOverrides } from "./grpc.js";
