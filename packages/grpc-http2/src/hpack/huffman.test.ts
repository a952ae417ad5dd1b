import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HpackError } from "./errors.js";
import { HUFFMAN_CODES, huffmanDecode, huffmanEncode, huffmanEncodedLength } from "./huffman.js";

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");
const latin1 = (s: string): Buffer => Buffer.from(s, "latin1");

/** Packs a string of '0'/'1' into bytes, padding the last byte with ones. */
function bits(s: string): Uint8Array {
  const padded = s + "1".repeat((8 - (s.length % 8)) % 8);
  const out = new Uint8Array(padded.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(padded.slice(8 * i, 8 * i + 8), 2);
  return out;
}

function codeBits(symbol: number): string {
  const [code, length] = HUFFMAN_CODES[symbol]!;
  return code.toString(2).padStart(length, "0");
}

/** xorshift32, so a failing random case can be replayed. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

describe("Huffman code table", () => {
  it("has 257 codes of 5 to 30 bits, each fitting its length", () => {
    assert.equal(HUFFMAN_CODES.length, 257);
    for (const [code, length] of HUFFMAN_CODES) {
      assert.ok(length >= 5 && length <= 30);
      assert.ok(code >= 0 && code < 2 ** length);
    }
  });

  it("is prefix-free", () => {
    for (let a = 0; a < HUFFMAN_CODES.length; a++) {
      const [codeA, lengthA] = HUFFMAN_CODES[a]!;
      for (let b = 0; b < HUFFMAN_CODES.length; b++) {
        const [codeB, lengthB] = HUFFMAN_CODES[b]!;
        if (a === b || lengthB < lengthA) continue;
        const prefixOfB = Math.floor(codeB / 2 ** (lengthB - lengthA));
        assert.notEqual(prefixOfB, codeA, `code of ${a} is a prefix of the code of ${b}`);
      }
    }
  });

  it("satisfies Kraft equality (sum of 2^-length is exactly 1)", () => {
    const sum = HUFFMAN_CODES.reduce((total, [, length]) => total + 2 ** (30 - length), 0);
    assert.equal(sum, 2 ** 30);
  });

  it("is the canonical code of its lengths, as RFC 7541 Appendix B says", () => {
    const order = HUFFMAN_CODES.map((_, symbol) => symbol).sort(
      (a, b) => HUFFMAN_CODES[a]![1] - HUFFMAN_CODES[b]![1] || a - b,
    );
    let next = 0;
    let previousLength = HUFFMAN_CODES[order[0]!]![1];
    for (const symbol of order) {
      const [code, length] = HUFFMAN_CODES[symbol]!;
      next *= 2 ** (length - previousLength);
      assert.equal(code, next, `code of symbol ${symbol}`);
      next++;
      previousLength = length;
    }
  });

  it("gives EOS thirty one bits", () => {
    assert.deepEqual(HUFFMAN_CODES[256], [0x3fffffff, 30]);
  });
});

describe("Huffman coding", () => {
  // The Huffman-encoded literals of RFC 7541 Appendix C.4 and C.6.
  const rfcStrings: Array<[string, string]> = [
    ["www.example.com", "f1e3 c2e5 f23a 6ba0 ab90 f4ff"],
    ["no-cache", "a8eb 1064 9cbf"],
    ["custom-key", "25a8 49e9 5ba9 7d7f"],
    ["custom-value", "25a8 49e9 5bb8 e8b4 bf"],
    ["302", "6402"],
    ["307", "640e ff"],
    ["private", "aec3 771a 4b"],
    ["Mon, 21 Oct 2013 20:13:21 GMT", "d07a be94 1054 d444 a820 0595 040b 8166 e082 a62d 1bff"],
    ["Mon, 21 Oct 2013 20:13:22 GMT", "d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff"],
    ["https://www.example.com", "9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3"],
    ["gzip", "9bd9 ab"],
    [
      "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1",
      `94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587
       3160 65c0 03ed 4ee5 b106 3d50 07`,
    ],
  ];

  for (const [text, encoded] of rfcStrings) {
    it(`decodes and encodes the RFC 7541 Appendix C string ${JSON.stringify(text)}`, () => {
      assert.equal(Buffer.from(huffmanDecode(hex(encoded))).toString("latin1"), text);
      assert.deepEqual(Buffer.from(huffmanEncode(latin1(text))), hex(encoded));
      assert.equal(huffmanEncodedLength(latin1(text)), hex(encoded).length);
    });
  }

  it("round-trips every single symbol", () => {
    for (let byte = 0; byte < 256; byte++) {
      const encoded = huffmanEncode(Uint8Array.of(byte));
      assert.equal(encoded.length, Math.ceil(HUFFMAN_CODES[byte]![1] / 8), `length of ${byte}`);
      assert.deepEqual(encoded, bits(codeBits(byte)), `code of ${byte}`);
      assert.deepEqual(huffmanDecode(encoded), Uint8Array.of(byte), `symbol ${byte}`);
    }
  });

  it("round-trips every pair of symbols", () => {
    for (let a = 0; a < 256; a++) {
      for (let b = 0; b < 256; b++) {
        const decoded = huffmanDecode(huffmanEncode(Uint8Array.of(a, b)));
        if (decoded.length !== 2 || decoded[0] !== a || decoded[1] !== b) {
          assert.fail(`pair ${a}, ${b} decoded as ${decoded.join()}`);
        }
      }
    }
  });

  it("round-trips random byte strings over all 256 byte values", () => {
    const next = random(0x9e3779b9);
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    assert.deepEqual(huffmanDecode(huffmanEncode(all)), all);
    for (let n = 0; n < 2000; n++) {
      const bytes = Uint8Array.from({ length: next() % 300 }, () => next() & 0xff);
      const encoded = huffmanEncode(bytes);
      assert.equal(encoded.length, huffmanEncodedLength(bytes));
      assert.deepEqual(huffmanDecode(encoded), bytes, `case ${n}: ${Buffer.from(bytes).toString("hex")}`);
    }
  });

  it("decodes the empty string", () => {
    assert.deepEqual(huffmanDecode(new Uint8Array(0)), new Uint8Array(0));
    assert.deepEqual(huffmanEncode(new Uint8Array(0)), new Uint8Array(0));
  });

  it("accepts up to 7 bits of padding", () => {
    assert.equal(HUFFMAN_CODES[199]![1], 25);
    assert.deepEqual(huffmanDecode(bits(codeBits(199) + "1111111")), Uint8Array.of(199));
  });

  it("rejects EOS inside the string", () => {
    assert.throws(() => huffmanDecode(bits(codeBits(97) + codeBits(256) + codeBits(97))), HpackError);
    assert.throws(() => huffmanDecode(bits(codeBits(256) + codeBits(97))), /EOS/);
    assert.throws(() => huffmanDecode(hex("ffff ffff")), /EOS/);
  });

  it("rejects padding longer than 7 bits", () => {
    assert.throws(() => huffmanDecode(hex("ff")), /longer than 7 bits/);
    assert.throws(() => huffmanDecode(bits(codeBits(97) + "11111111")), /longer than 7 bits/);
    assert.throws(() => huffmanDecode(bits(codeBits(97) + "1".repeat(29))), HpackError);
  });

  it("rejects padding that is not all ones", () => {
    assert.throws(() => huffmanDecode(Uint8Array.of(0b00011000)), /not all ones/);
    assert.throws(() => huffmanDecode(Uint8Array.of(0b00011110)), /not all ones/);
    assert.throws(() => huffmanDecode(hex("00")), /not all ones/);
    assert.throws(() => huffmanDecode(hex("fe")), HpackError);
  });
});
