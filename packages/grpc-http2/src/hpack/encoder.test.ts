import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HpackDecoder } from "./decoder.js";
import { HpackEncoder } from "./encoder.js";
import { STATIC_TABLE, staticFieldIndex, staticNameIndex } from "./static-table.js";

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");

function roundTrip(fields: Array<[string, string]>, decoder = new HpackDecoder(4096, 1 << 24)): Buffer {
  const encoded = new HpackEncoder().encode(fields);
  assert.deepEqual(decoder.decode(encoded), fields);
  assert.equal(decoder.tableSize, 0, "the encoder must not add to the dynamic table");
  return encoded;
}

describe("static table", () => {
  it("has the 61 entries of RFC 7541 Appendix A", () => {
    assert.equal(STATIC_TABLE.length, 61);
    assert.deepEqual(STATIC_TABLE[0], [":authority", ""]);
    assert.deepEqual(STATIC_TABLE[7], [":status", "200"]);
    assert.deepEqual(STATIC_TABLE[15], ["accept-encoding", "gzip, deflate"]);
    assert.deepEqual(STATIC_TABLE[60], ["www-authenticate", ""]);
  });

  it("looks up names (lowest index) and full fields", () => {
    assert.equal(staticNameIndex(":status"), 8);
    assert.equal(staticNameIndex("content-type"), 31);
    assert.equal(staticNameIndex("grpc-status"), 0);
    assert.equal(staticFieldIndex(":status", "404"), 13);
    assert.equal(staticFieldIndex(":status", "201"), 0);
    assert.equal(staticFieldIndex("content-type", ""), 31);
    assert.equal(staticFieldIndex("grpc-status", "0"), 0);
  });
});

describe("HpackEncoder", () => {
  it("encodes :status: 200 as the single byte 0x88", () => {
    assert.deepEqual(new HpackEncoder().encode([[":status", "200"]]), hex("88"));
  });

  it("produces the RFC 7541 C.2.2 and C.2.4 encodings", () => {
    assert.deepEqual(new HpackEncoder().encode([[":path", "/sample/path"]]), hex("040c 2f73 616d 706c 652f 7061 7468"));
    assert.deepEqual(new HpackEncoder().encode([[":method", "GET"]]), hex("82"));
  });

  it("uses a literal name without indexing for names outside the static table", () => {
    const expected = Buffer.from([0x00, 0x0b, ...Buffer.from("grpc-status"), 0x01, 0x30]);
    assert.deepEqual(new HpackEncoder().encode([["grpc-status", "0"]]), expected);
  });

  it("uses a multi-byte name index for static names from index 15 on", () => {
    const expected = Buffer.from([0x0f, 0x10, 0x10, ...Buffer.from("application/grpc")]);
    assert.deepEqual(new HpackEncoder().encode([["content-type", "application/grpc"]]), expected);
  });

  it("round-trips a gRPC response, names in and out of the static table, and empty values", () => {
    roundTrip([
      [":status", "200"],
      ["content-type", "application/grpc"],
      ["grpc-encoding", "identity"],
      ["grpc-accept-encoding", "identity,deflate,gzip"],
      ["x-empty", ""],
      ["cache-control", ""],
      [":status", "404"],
      [":status", "201"],
      ["grpc-status", "0"],
      ["grpc-message", ""],
    ]);
  });

  it("round-trips every static table entry, as single indexed bytes", () => {
    const fields = STATIC_TABLE.map(([n, v]): [string, string] => [n, v]);
    const encoded = roundTrip(fields);
    assert.equal(encoded.length, 61);
  });

  it("round-trips string lengths around the integer prefix boundaries", () => {
    for (const length of [0, 1, 126, 127, 128, 254, 255, 16383, 16384, 16510, 16511, 100000]) {
      roundTrip([
        ["x".repeat(length), "y".repeat(length)],
        ["user-agent", "z".repeat(length)],
      ]);
    }
  });

  it("round-trips every byte value as latin1", () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i)).toString("latin1");
    roundTrip([
      [all, all],
      [":path", all],
    ]);
  });

  it("accepts any iterable, once, and encodes the empty list as an empty block", () => {
    function* fields(): Generator<[string, string]> {
      yield [":status", "200"];
      yield ["grpc-status", "0"];
    }
    const fromGenerator = new HpackEncoder().encode(fields());
    const fromMap = new HpackEncoder().encode(new Map([[":status", "200"], ["grpc-status", "0"]]));
    assert.deepEqual(fromGenerator, fromMap);
    assert.deepEqual(new HpackDecoder().decode(fromGenerator), [[":status", "200"], ["grpc-status", "0"]]);
    assert.equal(new HpackEncoder().encode([]).length, 0);
  });

  it("is stateless: the same list gives the same bytes, to any decoder", () => {
    const encoder = new HpackEncoder();
    const fields: Array<[string, string]> = [["x-a", "1"], [":status", "200"]];
    const first = encoder.encode(fields);
    encoder.encode([["x-b", "2"]]);
    assert.deepEqual(encoder.encode(fields), first);
    const decoder = new HpackDecoder();
    decoder.decode(hex("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"));
    assert.deepEqual(decoder.decode(first), fields);
  });
});
