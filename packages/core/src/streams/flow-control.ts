/**
 * @module
 * HTTP/2 flow-control windows of raw streams.
 *
 * Only the client widens its receive window. Node's HTTP/2 stops reading its socket while one of its own
 * writes is pending, so two Node peers that both accept more bytes in flight than a socket buffer holds
 * (about 227 KiB on a Linux unix socket) deadlock on any stream carrying bulk data both ways: each blocks in
 * a write the other no longer reads. With the exporter at HTTP/2's default 64 KiB, the client→exporter
 * direction can never fill the socket, so the client always drains, and the exporter's writes always finish.
 * Measured on the bench: an exporter window of 128 KiB speeds uploads by about a fifth, 192 KiB and more
 * deadlock the echo benchmark.
 */

/** Receive window, per stream and per connection, of a client connection (`grpc-node.flow_control_window`). */
export const CLIENT_RECEIVE_WINDOW_BYTES = 8 * 1024 * 1024;
