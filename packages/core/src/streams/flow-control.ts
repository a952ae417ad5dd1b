/**
 * @module
 * HTTP/2 flow-control window of a client connection.
 *
 * Node's HTTP/2 (under grpc-js) stops reading its socket while one of its own writes is pending, so two Node
 * peers that both accepted more bytes in flight than the socket buffers deadlock on a stream busy both ways.
 * The exporter session no longer runs on Node's HTTP/2: `@jumpstarter/grpc-http2` reads without pause, so
 * both directions can have wide windows (BENCHMARKS.md). The client's 8 MiB lets downloads run at full speed.
 */

/** Receive window, per stream and per connection, of a client connection (`grpc-node.flow_control_window`). */
export const CLIENT_RECEIVE_WINDOW_BYTES = 8 * 1024 * 1024;
