import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HpackDecoder, HpackError } from "./decoder.js";
import { HeaderListTooLargeError } from "./errors.js";

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");

/** An HPACK integer with `flags` in the bits above the prefix (RFC 7541 Section 5.1). */
function int(flags: number, prefixBits: number, value: number): number[] {
  const max = (1 << prefixBits) - 1;
  if (value < max) return [flags | value];
  const out = [flags | max];
  let rest = value - max;
  for (; rest >= 128; rest = Math.floor(rest / 128)) out.push((rest % 128) | 128);
  out.push(rest);
  return out;
}

/** A plain string literal. */
function str(s: string): number[] {
  return [...int(0, 7, s.length), ...Buffer.from(s, "latin1")];
}

/** Literal with incremental indexing and a literal name. */
function indexedLiteral(name: string, value: string): number[] {
  return [0x40, ...str(name), ...str(value)];
}

const block = (...parts: number[][]): Buffer => Buffer.from(parts.flat());

function throwsHpack(decoder: HpackDecoder, bytes: Uint8Array, message: RegExp): void {
  assert.throws(
    () => decoder.decode(bytes),
    (error: unknown) => error instanceof HpackError && message.test(error.message),
  );
}

describe("HpackDecoder errors", () => {
  it("rejects a truncated integer", () => {
    throwsHpack(new HpackDecoder(), hex("ff"), /ends inside an integer/);
    throwsHpack(new HpackDecoder(), hex("ff 80"), /ends inside an integer/);
    throwsHpack(new HpackDecoder(), hex("40 7f"), /ends inside an integer/);
    throwsHpack(new HpackDecoder(), hex("3f"), /ends inside an integer/);
  });

  it("rejects integers above 2^31 - 1 or with too many continuation bytes", () => {
    throwsHpack(new HpackDecoder(), hex("ff ff ff ff ff 07"), /exceeds 2\^31/);
    throwsHpack(new HpackDecoder(), hex("ff 80 80 80 80 80 00"), /too many continuation bytes/);
    throwsHpack(new HpackDecoder(), hex("ff 80 80 80 80 80"), /ends inside an integer/);
  });

  it("accepts a 5-byte integer just below 2^31 (as an index, then rejects it as out of range)", () => {
    throwsHpack(new HpackDecoder(), block(int(0x80, 7, 0x7fffffff)), /index 2147483647 is beyond/);
  });

  it("rejects a truncated string", () => {
    throwsHpack(new HpackDecoder(), block([0x40, 0x05], [...Buffer.from("ab")]), /ends inside a string literal/);
    throwsHpack(new HpackDecoder(), block([0x04, 0x05], [...Buffer.from("abcd")]), /ends inside a string literal/);
    throwsHpack(new HpackDecoder(), block([0x04, 0x85], [0xff]), /ends inside a string literal/);
    throwsHpack(new HpackDecoder(), block([0x40], str("name")), /ends before a string literal/);
    throwsHpack(new HpackDecoder(), block([0x10]), /ends before a string literal/);
  });

  it("rejects index 0", () => {
    throwsHpack(new HpackDecoder(), hex("80"), /index 0/);
  });

  it("rejects indexes beyond the static and dynamic tables", () => {
    throwsHpack(new HpackDecoder(), hex("be"), /index 62 is beyond/);
    throwsHpack(new HpackDecoder(), hex("7e 01 61"), /index 62 is beyond/);
    throwsHpack(new HpackDecoder(), block(int(0x00, 4, 62), str("v")), /index 62 is beyond/);
    const decoder = new HpackDecoder();
    decoder.decode(block(indexedLiteral("a", "b")));
    assert.deepEqual(decoder.decode(hex("be")), [["a", "b"]]);
    throwsHpack(decoder, hex("bf"), /index 63 is beyond/);
  });

  it("rejects a table size update above the limit", () => {
    throwsHpack(new HpackDecoder(), block(int(0x20, 5, 4097)), /size update to 4097 exceeds the limit of 4096/);
    throwsHpack(new HpackDecoder(100), block(int(0x20, 5, 101)), /exceeds the limit of 100/);
    const decoder = new HpackDecoder(100);
    decoder.decode(block(int(0x20, 5, 100)));
    assert.equal(decoder.maxTableSize, 100);
  });

  it("rejects a table size update after a header field", () => {
    throwsHpack(new HpackDecoder(), hex("82 20"), /after the first header field/);
    throwsHpack(new HpackDecoder(), block(indexedLiteral("a", "b"), int(0x20, 5, 0)), /after the first header field/);
  });

  it("refuses a header list over the limit, counting name + value + 32 per field, with its table still in step", () => {
    const tooLarge = (decoder: HpackDecoder, bytes: Uint8Array, message: RegExp) =>
      assert.throws(() => decoder.decode(bytes), (error: unknown) => error instanceof HeaderListTooLargeError && message.test(error.message));
    const fields = block(indexedLiteral("aaaa", "bbbbbb"), [0xbe, 0xbe]); // 3 fields of 42 bytes
    assert.equal(new HpackDecoder(4096, 126).decode(fields).length, 3);
    const small = new HpackDecoder(4096, 125);
    tooLarge(small, fields, /header list of 126 bytes/);
    // The refused block's literal was still indexed: the next block can refer to it.
    assert.deepEqual(small.decode(hex("be")), [["aaaa", "bbbbbb"]]);
    const amplified = block(indexedLiteral("x", "y".repeat(4000)), ...Array<number[]>(16).fill([0xbe]));
    tooLarge(new HpackDecoder(), amplified, /header list/);
    tooLarge(new HpackDecoder(4096, 10), hex("82"), /exceeds the limit of 10 bytes/);
  });

  it("rejects bad Huffman strings", () => {
    throwsHpack(new HpackDecoder(), block([0x04, 0x81, 0xff]), /padding longer than 7 bits/);
    throwsHpack(new HpackDecoder(), block([0x04, 0x81, 0x00]), /not all ones/);
    throwsHpack(new HpackDecoder(), block([0x04, 0x84, 0xff, 0xff, 0xff, 0xff]), /EOS/);
  });
});

describe("HpackDecoder dynamic table", () => {
  it("keeps literals without indexing and never indexed out of the table", () => {
    const decoder = new HpackDecoder();
    const fields = decoder.decode(
      block([0x00], str("a"), str("1"), [0x10], str("b"), str("2"), [0x14], str("/x"), int(0x00, 4, 31), str("t")),
    );
    assert.deepEqual(fields, [
      ["a", "1"],
      ["b", "2"],
      [":path", "/x"],
      ["content-type", "t"],
    ]);
    assert.deepEqual(decoder.tableEntries(), []);
  });

  it("applies size updates at the block start, evicting, and clears the table with size 0", () => {
    const decoder = new HpackDecoder();
    decoder.decode(block(indexedLiteral("a", "1"), indexedLiteral("b", "2"), indexedLiteral("c", "3")));
    assert.equal(decoder.tableSize, 3 * 34);
    decoder.decode(block(int(0x20, 5, 70)));
    assert.deepEqual(decoder.tableEntries(), [
      ["c", "3"],
      ["b", "2"],
    ]);
    assert.deepEqual(decoder.decode(block(int(0x20, 5, 0), int(0x20, 5, 4096), indexedLiteral("d", "4"), [0xbe])), [
      ["d", "4"],
      ["d", "4"],
    ]);
    assert.deepEqual(decoder.tableEntries(), [["d", "4"]]);
  });

  it("empties the table for an entry larger than the table, and still returns the field", () => {
    const decoder = new HpackDecoder(100);
    decoder.decode(block(indexedLiteral("a", "1")));
    assert.deepEqual(decoder.decode(block(indexedLiteral("big", "v".repeat(70)))), [["big", "v".repeat(70)]]);
    assert.deepEqual(decoder.tableEntries(), []);
    assert.equal(decoder.tableSize, 0);
  });

  it("keeps a name taken from the entry that its own insertion evicts", () => {
    const decoder = new HpackDecoder(40);
    decoder.decode(block(indexedLiteral("name", "1")));
    assert.deepEqual(decoder.decode(block(int(0x40, 6, 62), str("2"))), [["name", "2"]]);
    assert.deepEqual(decoder.tableEntries(), [["name", "2"]]);
  });

  it("preserves every byte value in names and values as latin1", () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i)).toString("latin1");
    const decoder = new HpackDecoder();
    assert.deepEqual(decoder.decode(block(indexedLiteral(all, all), [0xbe])), [
      [all, all],
      [all, all],
    ]);
  });

  it("decodes a plain Uint8Array view with an offset", () => {
    const backing = new Uint8Array(10);
    backing.set([0x82, 0x86, 0x84], 5);
    assert.deepEqual(new HpackDecoder().decode(backing.subarray(5, 8)), [
      [":method", "GET"],
      [":scheme", "http"],
      [":path", "/"],
    ]);
  });

  it("matches a simple model of the table over many random blocks", () => {
    let seed = 12345;
    const next = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const decoder = new HpackDecoder(1000);
    let model: Array<[string, string]> = [];
    let maxSize = 1000;
    const size = (entries: Array<[string, string]>): number =>
      entries.reduce((total, [n, v]) => total + n.length + v.length + 32, 0);
    const evict = (limit: number): void => {
      while (model.length > 0 && size(model) > limit) model.pop();
    };
    for (let round = 0; round < 500; round++) {
      const parts: number[][] = [];
      const expected: Array<[string, string]> = [];
      if (next(10) === 0) {
        maxSize = next(1001);
        parts.push(int(0x20, 5, maxSize));
        evict(maxSize);
      }
      for (let f = next(8); f > 0; f--) {
        if (model.length > 0 && next(2) === 0) {
          const i = next(model.length);
          parts.push(int(0x80, 7, 62 + i));
          expected.push(model[i]!);
        } else {
          const entry: [string, string] = [`n${next(50)}`, "v".repeat(next(200))];
          parts.push(indexedLiteral(...entry));
          expected.push(entry);
          const entrySize = size([entry]);
          evict(maxSize - entrySize);
          if (entrySize <= maxSize) model = [entry, ...model];
        }
      }
      assert.deepEqual(decoder.decode(block(...parts)), expected, `round ${round}`);
      assert.deepEqual(decoder.tableEntries(), model, `table after round ${round}`);
      assert.equal(decoder.tableSize, size(model));
    }
  });
});
