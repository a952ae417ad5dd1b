/**
 * @module
 * HTTP/2 flow-control windows of raw streams.
 *
 * Node's HTTP/2 stops reading its socket while one of its own writes is pending. Two Node peers that both
 * accept more bytes in flight than their connection can buffer therefore deadlock on a stream carrying bulk
 * data both ways: each blocks in a write the other no longer reads. So only one direction may have a wide
 * window. The client's is wide (downloads, 8 MiB). The exporter's stays under what the connection holds, so
 * the client→exporter direction never fills it, the client always drains, and the exporter's writes always
 * finish. On a unix socket (about 227 KiB on Linux) the exporter takes 128 KiB, which halves the
 * WINDOW_UPDATE round trips of an upload against HTTP/2's default 64 KiB; 192 KiB already deadlocked the echo
 * benchmark. A fresh TCP connection to a distant client may start with little more than 64 KiB of receive
 * window, so TCP listeners keep the default.
 */
import type * as http2 from "node:http2";
import type * as grpc from "@grpc/grpc-js";

/** Receive window, per stream and per connection, of a client connection (`grpc-node.flow_control_window`). */
export const CLIENT_RECEIVE_WINDOW_BYTES = 8 * 1024 * 1024;

/** Receive window, per stream and per connection, of an exporter listening on a unix socket. */
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
