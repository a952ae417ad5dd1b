import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { FrameType, StreamRequestSchema } from "@jumpstarter/protocol/gen/jumpstarter/v1/router_pb";
import { PartedDataFrame, decodeFrame, decodeFrameParts, encodeFrame, encodeFrameParts, gatherDataFrames } from "./frames.js";

/** `bytes` cut at `cuts` (sorted offsets). */
function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const parts: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    parts.push(bytes.subarray(from, cut));
    from = cut;
  }
  return parts;
}

function randomCuts(length: number, count: number): number[] {
  return Array.from({ length: count }, () => Math.floor(Math.random() * (length + 1))).sort((a, b) => a - b);
}

describe("router frames received in pieces", () => {
  const encodings: Array<[string, Buffer]> = [
    ["a DATA frame as we encode it", encodeFrame({ payload: randomBytes(40_000), frameType: FrameType.DATA })],
    ["a DATA frame gathered from writes", encodeFrame(gatherDataFrames([randomBytes(30_000), randomBytes(20_000)], 256 * 1024)[0]!)],
    ["a DATA frame from protobuf-es", Buffer.from(toBinary(StreamRequestSchema, create(StreamRequestSchema, { payload: randomBytes(70_000) })))],
    ["a DATA frame with frame_type written out", Buffer.concat([encodeFrame({ payload: randomBytes(33_000), frameType: FrameType.DATA }), Buffer.from([0x10, 0x00])])],
    ["a GOAWAY frame with a payload", encodeFrame({ payload: randomBytes(20_000), frameType: FrameType.GOAWAY })],
    ["frame_type before the payload", Buffer.concat([Buffer.from([0x10, FrameType.PING]), encodeFrame({ payload: randomBytes(20_000), frameType: FrameType.DATA })])],
    ["an unknown field after the payload", Buffer.concat([encodeFrame({ payload: randomBytes(20_000), frameType: FrameType.DATA }), Buffer.from([0x1a, 0x02, 0x01, 0x02])])],
    ["two payload fields (the last one wins)", Buffer.concat([encodeFrame({ payload: randomBytes(20_000), frameType: FrameType.DATA }), encodeFrame({ payload: randomBytes(9), frameType: FrameType.DATA })])],
  ];
  for (const [name, bytes] of encodings) {
    it(`decodes ${name} exactly as the joined bytes decode, whatever the cuts`, () => {
      const expected = decodeFrame(bytes);
      for (let trial = 0; trial < 200; trial++) {
        const parts = split(bytes, randomCuts(bytes.length, 1 + (trial % 8)));
        const frame = decodeFrameParts(parts);
        assert.equal(frame.frameType, expected.frameType);
        assert.ok(Buffer.from(frame.payload).equals(Buffer.from(expected.payload)), `payload after cuts ${parts.map((part) => part.length).join(",")}`);
      }
    });
  }

  it("hands out views of the pieces, copying nothing, for the usual DATA frame", () => {
    const payload = randomBytes(48 * 1024);
    const bytes = encodeFrame({ payload, frameType: FrameType.DATA });
    const parts = split(bytes, [16 * 1024, 32 * 1024]);
    const frame = decodeFrameParts(parts);
    assert.ok(frame instanceof PartedDataFrame);
    assert.equal(frame.parts.length, 3);
    for (const [index, view] of frame.parts.entries()) assert.equal(view.buffer, parts[index]!.buffer, "a view of the received piece");
    assert.ok(Buffer.concat(frame.parts as Buffer[]).equals(payload));
  });

  it("refuses a truncated frame like decodeFrame does", () => {
    const bytes = encodeFrame({ payload: randomBytes(10_000), frameType: FrameType.DATA }).subarray(0, 9_000);
    assert.throws(() => decodeFrameParts(split(bytes, [4_000])), /truncated/);
  });
});

describe("router frames sent from writes", () => {
  it("gathers writes into DATA frames of at most the maximum payload, as views of the writes", () => {
    const writes = [randomBytes(100_000), randomBytes(200_000), randomBytes(10), randomBytes(300_000)];
    const frames = gatherDataFrames(writes, 256 * 1024);
    assert.deepEqual(
      frames.map((frame) => frame.parts.reduce((sum, part) => sum + part.length, 0)),
      [256 * 1024, 256 * 1024, 600_010 - 2 * 256 * 1024],
    );
    assert.ok(Buffer.concat(frames.flatMap((frame) => frame.parts)).equals(Buffer.concat(writes)), "the bytes, in order");
    const written = new Set<ArrayBufferLike>(writes.map((write) => write.buffer));
    for (const part of frames.flatMap((frame) => frame.parts)) assert.ok(written.has(part.buffer), "a view of a write, not a copy");
  });

  it("encodes a gathered frame as pieces whose bytes are the protobuf encoding", () => {
    const writes = [randomBytes(70_000), randomBytes(5)];
    const [frame] = gatherDataFrames(writes, 256 * 1024);
    const pieces = encodeFrameParts(frame!);
    const expected = Buffer.from(toBinary(StreamRequestSchema, create(StreamRequestSchema, { payload: Buffer.concat(writes), frameType: FrameType.DATA })));
    assert.ok(Buffer.concat(pieces.map((piece) => Buffer.from(piece))).equals(expected));
    assert.equal(pieces.length, 3, "a field header, then the two writes as they are");
    assert.equal(pieces[1], writes[0]);
  });
});
