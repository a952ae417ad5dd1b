"""Replays raw gRPC calls through grpcio (gRPC C-core), the stack of the reference Python client.

Test support for python-replay.ts. Run with Debian's /usr/bin/python3 (python3-grpcio); argv[1] is the
channel target ("unix:/path" or "host:port"). Speaks JSON lines: one request object per stdin line, one
answer object per stdout line, matched by "id". Every call runs in its own thread. No generated protobuf
code is used: requests and responses are raw bytes (base64 in JSON); the only messages decoded here are
jumpstarter.v1.StreamResponse frames (field 1 bytes payload, field 2 enum frame_type).
"""

import base64
import hashlib
import json
import os
import queue
import sys
import threading
import time

import grpc

FRAME_DATA = 0
FRAME_GOAWAY = 7
TIMEOUT = 120.0
# What the transport puts in initial metadata; the Node side filters the same set for grpc-js.
TRANSPORT_KEYS = {"content-type", "date", "grpc-accept-encoding", "grpc-encoding", "content-length"}

_out_lock = threading.Lock()


def emit(message):
    line = json.dumps(message)
    with _out_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def b64(data):
    return base64.b64encode(data).decode("ascii")


def keys(metadata):
    return [key for key, _ in (metadata or ()) if key not in TRANSPORT_KEYS]


def code_of(call):
    code = call.code()
    return code.value[0] if code is not None else -1


def outcome(call, responses):
    return {
        "code": code_of(call),
        "details": call.details() or "",
        "headerKeys": keys(call.initial_metadata()),
        "trailerKeys": keys(call.trailing_metadata()),
        "responses": [b64(r) for r in responses],
    }


def varint(value):
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def read_varint(data, at):
    value = 0
    shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, at
        shift += 7


def decode_frame(data):
    """A StreamResponse as (payload, frame_type)."""
    payload = b""
    frame_type = FRAME_DATA
    at = 0
    while at < len(data):
        tag, at = read_varint(data, at)
        field, wire = tag >> 3, tag & 7
        if wire == 0:
            value, at = read_varint(data, at)
            if field == 2:
                frame_type = value
        elif wire == 2:
            length, at = read_varint(data, at)
            if field == 1:
                payload = data[at : at + length]
            at += length
        else:
            raise ValueError("unexpected wire type %d in StreamResponse" % wire)
    return payload, frame_type


def data_frame(payload):
    return b"\x0a" + varint(len(payload)) + payload


GOAWAY_FRAME = b"\x10" + varint(FRAME_GOAWAY)


def metadata_of(request):
    return tuple((key, value) for key, value in request.get("metadata", []))


def op_unary(channel, request):
    method = channel.unary_unary(request["path"], request_serializer=None, response_deserializer=None)
    payload = base64.b64decode(request["request"])
    try:
        response, call = method.with_call(payload, timeout=TIMEOUT, metadata=metadata_of(request))
        return outcome(call, [response])
    except grpc.RpcError as error:
        return outcome(error, [])


def op_server_stream(channel, request):
    method = channel.unary_stream(request["path"], request_serializer=None, response_deserializer=None)
    call = method(base64.b64decode(request["request"]), timeout=TIMEOUT, metadata=metadata_of(request))
    responses = []
    try:
        for response in call:
            responses.append(response)
    except grpc.RpcError:
        pass
    return outcome(call, responses)


def op_lockstep(channel, request):
    """Sends request i, reads one response, ...; half-closes right after request `halfCloseAfter`."""
    method = channel.stream_stream(request["path"], request_serializer=None, response_deserializer=None)
    outgoing = queue.Queue()
    done = object()

    def requests():
        while True:
            item = outgoing.get()
            if item is done:
                return
            yield item

    call = method(requests(), timeout=TIMEOUT, metadata=metadata_of(request))
    responses = []
    header_keys = []
    error = None
    try:
        header_keys = keys(call.initial_metadata())
        for index, raw in enumerate(request["requests"]):
            outgoing.put(base64.b64decode(raw))
            if index == request.get("halfCloseAfter"):
                outgoing.put(done)
            responses.append(next(call))
    except StopIteration:
        error = "the response stream ended after %d responses" % len(responses)
    except grpc.RpcError as rpc_error:
        error = "%s: %s" % (rpc_error.code(), rpc_error.details())
    finally:
        outgoing.put(done)
        # As the reference client does once it has what it wants.
        call.cancel()
    result = outcome(call, responses)
    result["headerKeys"] = header_keys
    result["error"] = error
    return result


def op_echo(channel, request):
    """Writes `total` random bytes as DATA frames of `chunk` bytes while reading the echo concurrently."""
    method = channel.stream_stream(request["path"], request_serializer=None, response_deserializer=None)
    total = request["total"]
    chunk = request["chunk"]
    sent = hashlib.sha256()
    received = hashlib.sha256()
    state = {"sent": 0, "received": 0, "frames": 0, "goaway": False}

    def requests():
        # grpcio consumes this iterator in its own thread, so writing and reading overlap.
        while state["sent"] < total:
            payload = os.urandom(min(chunk, total - state["sent"]))
            sent.update(payload)
            state["sent"] += len(payload)
            yield data_frame(payload)
        yield GOAWAY_FRAME

    started = time.monotonic()
    call = method(requests(), timeout=request.get("timeout", TIMEOUT), metadata=metadata_of(request))
    error = None
    try:
        # Reads to the end of the call, so how the exporter ends it is seen too.
        for response in call:
            payload, frame_type = decode_frame(response)
            state["frames"] += 1
            if frame_type == FRAME_GOAWAY:
                state["goaway"] = True
            elif frame_type != FRAME_DATA:
                error = "unexpected frame type %d" % frame_type
                break
            else:
                received.update(payload)
                state["received"] += len(payload)
    except grpc.RpcError as rpc_error:
        error = "%s: %s" % (rpc_error.code(), rpc_error.details())
    call.cancel()
    return {
        "sentBytes": state["sent"],
        "receivedBytes": state["received"],
        "sentSha256": sent.hexdigest(),
        "receivedSha256": received.hexdigest(),
        "frames": state["frames"],
        "goaway": state["goaway"],
        "error": error,
        "code": code_of(call),
        "details": call.details() or "",
        "seconds": time.monotonic() - started,
    }


OPS = {
    "unary": op_unary,
    "server_stream": op_server_stream,
    "lockstep": op_lockstep,
    "echo": op_echo,
}


def handle(channel, request):
    try:
        result = OPS[request["op"]](channel, request)
        emit({"id": request["id"], "result": result})
    except Exception as error:  # reported to the Node side, which fails the test
        emit({"id": request["id"], "failure": "%s: %s" % (type(error).__name__, error)})


def main():
    if len(sys.argv) > 2:
        # host:port with TLS, trusting the PEM certificate at argv[2] (direct mode's transport).
        with open(sys.argv[2], "rb") as pem:
            channel = grpc.secure_channel(sys.argv[1], grpc.ssl_channel_credentials(root_certificates=pem.read()))
    else:
        channel = grpc.insecure_channel(sys.argv[1])
    threads = []
    emit({"ready": grpc.__version__})
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            thread = threading.Thread(target=handle, args=(channel, json.loads(line)), daemon=True)
            thread.start()
            threads.append(thread)
        for thread in threads:
            thread.join(TIMEOUT)
    finally:
        channel.close()


if __name__ == "__main__":
    main()
