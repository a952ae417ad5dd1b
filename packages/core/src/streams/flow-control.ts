/**
 * @module
 * HTTP/2 flow-control windows for raw streams. A 64 KiB window (the HTTP/2 default, and all a grpc-js server
 * advertises) lets a sender put one 64 KiB write on the wire per round trip; uploads then stall on
 * WINDOW_UPDATEs. grpc-js only exposes the client's window (`grpc-node.flow_control_window`), so the server's
 * is widened through its HTTP/2 server: the SETTINGS it sends (per-stream window) and each new session
 * (connection window). Both reach into grpc-js internals and do nothing if those ever change shape.
 */
import type * as http2 from "node:http2";
import type * as grpc from "@grpc/grpc-js";

/** Receive window, per stream and per connection, of both ends of a session. */
export const STREAM_WINDOW_BYTES = 8 * 1024 * 1024;

interface GrpcServerInternals {
  commonServerOptions?: http2.ServerOptions;
  http2Servers?: Map<http2.Http2Server | http2.Http2SecureServer, unknown>;
}

/** Makes `server` advertise a per-stream receive window of `bytes`. Call before `bindAsync`. */
export function advertiseStreamWindow(server: grpc.Server, bytes: number = STREAM_WINDOW_BYTES): void {
  const options = (server as unknown as GrpcServerInternals).commonServerOptions;
  if (typeof options !== "object" || options === null) return;
  options.settings = { ...options.settings, initialWindowSize: bytes };
}

/** Widens the connection receive window of every session `server` accepts from now on. Call after `bindAsync`. */
export function widenConnectionWindows(server: grpc.Server, bytes: number = STREAM_WINDOW_BYTES): void {
  const servers = (server as unknown as GrpcServerInternals).http2Servers;
  if (!(servers instanceof Map)) return;
  for (const http2Server of servers.keys()) {
    http2Server.on("session", (session: http2.ServerHttp2Session) => {
      try {
        session.setLocalWindowSize(bytes);
      } catch {
        // The session is already gone; nothing to widen.
      }
    });
  }
}
