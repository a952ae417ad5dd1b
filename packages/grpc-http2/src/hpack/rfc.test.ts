/* The examples of RFC 7541 Appendix C, byte for byte. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HpackDecoder } from "./decoder.js";

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");

interface Step {
  block: string;
  headers: Array<[string, string]>;
  table: Array<[string, string]>;
  tableSize: number;
}

function runSequence(decoder: HpackDecoder, steps: Step[]): void {
  steps.forEach((step, i) => {
    assert.deepEqual(decoder.decode(hex(step.block)), step.headers, `headers of block ${i + 1}`);
    assert.deepEqual(decoder.tableEntries(), step.table, `dynamic table after block ${i + 1}`);
    assert.equal(decoder.tableSize, step.tableSize, `table size after block ${i + 1}`);
  });
}

describe("RFC 7541 C.1 integer representation", () => {
  it("decodes 1337 on a 5-bit prefix (as a table size update)", () => {
    const decoder = new HpackDecoder();
    assert.deepEqual(decoder.decode(hex("3f 9a0a")), []);
    assert.equal(decoder.maxTableSize, 1337);
  });

  it("decodes 10 on a 5-bit prefix", () => {
    const decoder = new HpackDecoder();
    decoder.decode(hex("2a"));
    assert.equal(decoder.maxTableSize, 10);
  });
});

describe("RFC 7541 C.2 header field representations", () => {
  it("C.2.1 literal with indexing", () => {
    runSequence(new HpackDecoder(), [
      {
        block: "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572",
        headers: [["custom-key", "custom-header"]],
        table: [["custom-key", "custom-header"]],
        tableSize: 55,
      },
    ]);
  });

  it("C.2.2 literal without indexing", () => {
    runSequence(new HpackDecoder(), [
      { block: "040c 2f73 616d 706c 652f 7061 7468", headers: [[":path", "/sample/path"]], table: [], tableSize: 0 },
    ]);
  });

  it("C.2.3 literal never indexed", () => {
    runSequence(new HpackDecoder(), [
      {
        block: "1008 7061 7373 776f 7264 0673 6563 7265 74",
        headers: [["password", "secret"]],
        table: [],
        tableSize: 0,
      },
    ]);
  });

  it("C.2.4 indexed field", () => {
    runSequence(new HpackDecoder(), [{ block: "82", headers: [[":method", "GET"]], table: [], tableSize: 0 }]);
  });
});

const requests: Array<Array<[string, string]>> = [
  [
    [":method", "GET"],
    [":scheme", "http"],
    [":path", "/"],
    [":authority", "www.example.com"],
  ],
  [
    [":method", "GET"],
    [":scheme", "http"],
    [":path", "/"],
    [":authority", "www.example.com"],
    ["cache-control", "no-cache"],
  ],
  [
    [":method", "GET"],
    [":scheme", "https"],
    [":path", "/index.html"],
    [":authority", "www.example.com"],
    ["custom-key", "custom-value"],
  ],
];
const requestTables: Array<Array<[string, string]>> = [
  [[":authority", "www.example.com"]],
  [
    ["cache-control", "no-cache"],
    [":authority", "www.example.com"],
  ],
  [
    ["custom-key", "custom-value"],
    ["cache-control", "no-cache"],
    [":authority", "www.example.com"],
  ],
];
const requestTableSizes = [57, 110, 164];

function requestSteps(blocks: string[]): Step[] {
  return blocks.map((block, i) => ({
    block,
    headers: requests[i]!,
    table: requestTables[i]!,
    tableSize: requestTableSizes[i]!,
  }));
}

describe("RFC 7541 C.3 requests without Huffman coding", () => {
  it("decodes three requests through one decoder", () => {
    runSequence(
      new HpackDecoder(),
      requestSteps([
        "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
        "8286 84be 5808 6e6f 2d63 6163 6865",
        "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65",
      ]),
    );
  });
});

describe("RFC 7541 C.4 requests with Huffman coding", () => {
  it("decodes three requests through one decoder", () => {
    runSequence(
      new HpackDecoder(),
      requestSteps([
        "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff",
        "8286 84be 5886 a8eb 1064 9cbf",
        "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf",
      ]),
    );
  });
});

const date1 = "Mon, 21 Oct 2013 20:13:21 GMT";
const date2 = "Mon, 21 Oct 2013 20:13:22 GMT";
const location = "https://www.example.com";
const cookie = "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1";
const responses: Array<Omit<Step, "block">> = [
  {
    headers: [
      [":status", "302"],
      ["cache-control", "private"],
      ["date", date1],
      ["location", location],
    ],
    table: [
      ["location", location],
      ["date", date1],
      ["cache-control", "private"],
      [":status", "302"],
    ],
    tableSize: 222,
  },
  {
    headers: [
      [":status", "307"],
      ["cache-control", "private"],
      ["date", date1],
      ["location", location],
    ],
    table: [
      [":status", "307"],
      ["location", location],
      ["date", date1],
      ["cache-control", "private"],
    ],
    tableSize: 222,
  },
  {
    headers: [
      [":status", "200"],
      ["cache-control", "private"],
      ["date", date2],
      ["location", location],
      ["content-encoding", "gzip"],
      ["set-cookie", cookie],
    ],
    table: [
      ["set-cookie", cookie],
      ["content-encoding", "gzip"],
      ["date", date2],
    ],
    tableSize: 215,
  },
];

describe("RFC 7541 C.5 responses without Huffman coding (table size 256)", () => {
  it("decodes three responses through one decoder, evicting as the RFC shows", () => {
    const blocks = [
      `4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133
       2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70
       6c65 2e63 6f6d`,
      "4803 3330 37c1 c0bf",
      `88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d
       54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049
       5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e
       3d31`,
    ];
    runSequence(
      new HpackDecoder(256),
      responses.map((step, i) => ({ ...step, block: blocks[i]! })),
    );
  });
});

describe("RFC 7541 C.6 responses with Huffman coding (table size 256)", () => {
  it("decodes three responses through one decoder, evicting as the RFC shows", () => {
    const blocks = [
      `4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6
       2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3`,
      "4883 640e ffc1 c0bf",
      `88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab
       77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f
       9587 3160 65c0 03ed 4ee5 b106 3d50 07`,
    ];
    runSequence(
      new HpackDecoder(256),
      responses.map((step, i) => ({ ...step, block: blocks[i]! })),
    );
  });
});
