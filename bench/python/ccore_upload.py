"""One upload through RouterService/Stream from gRPC C-core (Debian's python3-grpcio), the reference client's
transport: `ccore_upload.py <unix:/path> <metadata JSON> <bytes> <chunk>`. Sends DATA frames of `chunk` bytes,
then GOAWAY, half-closes, reads the call to its end and prints the seconds the upload took."""
import json
import sys
import time

import grpc


def varint(value):
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def main():
    address, metadata, total, chunk = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    data = b"\x0a" + varint(chunk) + b"\x5a" * chunk
    goaway = b"\x10\x07"

    def frames():
        for _ in range(total // chunk):
            yield data
        yield goaway

    with grpc.insecure_channel(address) as channel:
        stream = channel.stream_stream("/jumpstarter.v1.RouterService/Stream", request_serializer=None, response_deserializer=None)
        start = time.perf_counter()
        for _ in stream(frames(), metadata=tuple(metadata.items())):
            pass
        print(time.perf_counter() - start)


main()
