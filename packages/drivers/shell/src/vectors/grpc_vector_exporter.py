"""A gRPC C-core (grpcio) server that answers like the reference exporter did, from its captured bytes.

Test support for python-exporter.test.ts: the reverse of grpc_replay.py. Run with Debian's /usr/bin/python3
(python3-grpcio):

    grpc_vector_exporter.py <unix:/path/to/socket> <calls.json>

calls.json is a list of recorded calls, each
    {"path": "/jumpstarter.v1.ExporterService/DriverCall", "kind": "unary" | "server_stream",
     "request": <base64>, "responses": [<base64>...], "code": "OK" | "NOT_FOUND" | ..., "details": "..."}

An incoming call is matched on its method path and its exact request bytes. A match is answered with the
recorded response bytes (unary: the one response; server-streaming: all of them, in order) and then the
recorded status code and details. A request that matches nothing gets INVALID_ARGUMENT naming the path and
the base64 request, so a failing test shows what the client sent. A path with no recorded call at all is left
to grpcio (UNIMPLEMENTED).

RouterService/Stream (a raw byte stream, the exportstream's transport) is answered like the reference
exporter's TCP echo in exportstream_tcp_connect.json: response headers at once, then every frame received sent
back unchanged, then OK once the client half-closes. Its "request" is the `request` metadata (JSON); when the
call ends a second line {"stream_end": path, "frames": [first 8, base64], "count", "bytes"} describes what
arrived.

Stdout: the line `ready` once listening, then one JSON object per call received
({"path", "request", "metadata", "matched"}). The server stops when stdin closes. No generated protobuf code
is used: requests and responses stay raw bytes.
"""

import base64
import json
import sys
import threading
from concurrent import futures

import grpc

_out_lock = threading.Lock()


def emit(line):
    with _out_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def b64(data):
    return base64.b64encode(data).decode("ascii")


def load(path):
    """{method path: (kind, {request bytes: recorded call})}; the first recording of a request wins."""
    with open(path, encoding="utf8") as source:
        calls = json.load(source)
    table = {}
    for call in calls:
        kind, answers = table.setdefault(call["path"], (call["kind"], {}))
        if kind != call["kind"]:
            raise ValueError("%s recorded both as %s and %s" % (call["path"], kind, call["kind"]))
        answers.setdefault(base64.b64decode(call["request"]), call)
    return table


ROUTER_STREAM = "/jumpstarter.v1.RouterService/Stream"


def metadata_pairs(context):
    return [[key, value if isinstance(value, str) else b64(value)] for key, value in context.invocation_metadata()]


def router_stream(requests, context):
    """Echoes every frame, as the reference exporter's exportstream to a TCP echo server did."""
    request = dict(context.invocation_metadata()).get("request", "")
    emit(json.dumps({"path": ROUTER_STREAM, "request": request, "metadata": metadata_pairs(context), "matched": True}))
    context.send_initial_metadata(())
    frames, count, size = [], 0, 0
    for frame in requests:
        if len(frames) < 8:
            frames.append(b64(frame))
        count += 1
        size += len(frame)
        yield frame
    emit(json.dumps({"stream_end": ROUTER_STREAM, "frames": frames, "count": count, "bytes": size}))


class VectorHandler(grpc.GenericRpcHandler):
    def __init__(self, table):
        self._table = table

    def _answer(self, path, request, context):
        """The recorded call for `request`; aborts the RPC (INVALID_ARGUMENT) when there is none."""
        call = self._table[path][1].get(request)
        emit(
            json.dumps(
                {
                    "path": path,
                    "request": b64(request),
                    "metadata": metadata_pairs(context),
                    "matched": call is not None,
                }
            )
        )
        if call is None:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "no recorded %s call has the request %s (base64)" % (path, b64(request)))
        return call

    @staticmethod
    def _finish(call, context):
        if call["code"] != "OK":
            context.abort(grpc.StatusCode[call["code"]], call["details"])

    def service(self, handler_call_details):
        path = handler_call_details.method
        if path == ROUTER_STREAM:
            return grpc.stream_stream_rpc_method_handler(router_stream, request_deserializer=None, response_serializer=None)
        if path not in self._table:
            return None
        kind = self._table[path][0]

        if kind == "unary":

            def unary(request, context):
                call = self._answer(path, request, context)
                self._finish(call, context)
                return base64.b64decode(call["responses"][0])

            return grpc.unary_unary_rpc_method_handler(unary, request_deserializer=None, response_serializer=None)

        def server_stream(request, context):
            call = self._answer(path, request, context)
            for response in call["responses"]:
                yield base64.b64decode(response)
            self._finish(call, context)

        return grpc.unary_stream_rpc_method_handler(server_stream, request_deserializer=None, response_serializer=None)


def main():
    address, calls_file = sys.argv[1], sys.argv[2]
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8), handlers=[VectorHandler(load(calls_file))])
    if not server.add_insecure_port(address):
        raise SystemExit("cannot listen on %s" % address)
    server.start()
    emit("ready")
    try:
        for _ in sys.stdin:
            pass
    finally:
        server.stop(grace=1).wait()


if __name__ == "__main__":
    main()
