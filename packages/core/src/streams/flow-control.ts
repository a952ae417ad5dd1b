/**
 * @module
 * HTTP/2 flow-control windows of raw streams.
 *
 * Node's HTTP/2 stops reading its socket while one of its own writes is pending. Two Node peers that both
 * accept more bytes in flight than a socket buffer holds (about 227 KiB on a Linux unix socket) therefore
 * deadlock on a stream carrying bulk data both ways: each blocks in a write the other no longer reads. So
 * only one direction may have a wide window. The client's is wide (downloads, 8 MiB); the exporter's stays
 * well under a socket buffer, so the client→exporter direction can never fill the socket, the client always
 * drains, and the exporter's writes always finish. 128 KiB instead of HTTP/2's default 64 KiB halves the
 * WINDOW_UPDATE round trips of an upload; 192 KiB already deadlocked the echo benchmark.
 */
import type * as http2 from "node:http2";
import type * as grpc from "@grpc/grpc-js";

/** Receive window, per stream and per connection, of a client connection (`grpc-node.flow_control_window`). */
export const CLIENT_RECEIVE_WINDOW_BYTES = 8 * 1024 * 1024;

/** Receive window, per stream and per connection, of an exporter server. */
export const SERVER_RECEIVE_WINDOW_BYTES = 128 * 1024;

/** The parts of a grpc-js server this module reaches into; absent members make it do nothing. */
interface GrpcServerInternals {
  commonServerOptions?: http2.ServerOptions;
  http2Servers?: Map<http2.Http2Server | http2.Http2SecureServer, unknown>;
}

/**
 * Makes `server` advertise {@link SERVER_RECEIVE_WINDOW_BYTES} per stream (its SETTINGS) and per connection
 * (a WINDOW_UPDATE on each new session). grpc-js has no option for either, so this reaches into its
 * internals and does nothing if they change shape. Call `before` ahead of `bindAsync`, `after` once bound.
 */
export const serverWindow = {
  before(server: grpc.Server): void {
    const options = (server as unknown as GrpcServerInternals).commonServerOptions;
    if (typeof options !== "object" || options === null) return;
    options.settings = { ...options.settings, initialWindowSize: SERVER_RECEIVE_WINDOW_BYTES };
  },
  after(server: grpc.Server): void {
    const servers = (server as unknown as GrpcServerInternals).http2Servers;
    if (!(servers instanceof Map)) return;
    for (const http2Server of servers.keys()) {
      http2Server.on("session", (session: http2.ServerHttp2Session) => {
        try {
          session.setLocalWindowSize(SERVER_RECEIVE_WINDOW_BYTES);
        } catch {
          // The session is already gone.
        }
      });
    }
  },
};
