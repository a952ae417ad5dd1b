import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatSelector, isEmptySelector, matchesSelector, parseRequirements, parseSelector, SelectorError } from "./selector.js";

describe("parseSelector", () => {
  it("puts = into matchLabels", () => {
    assert.deepEqual(parseSelector("board=rpi4,arch=arm64"), { matchLabels: { board: "rpi4", arch: "arm64" }, matchExpressions: [] });
  });

  it("accepts an empty value after =", () => {
    assert.deepEqual(parseSelector("a="), { matchLabels: { a: "" }, matchExpressions: [] });
  });

  it("accepts the same key twice with the same value", () => {
    assert.deepEqual(parseSelector("a=1,a=1").matchLabels, { a: "1" });
  });

  it("refuses two values for one key", () => {
    assert.throws(() => parseSelector("a=1,a=2"), /conflicting values for label "a"/);
  });

  it("merges != of one key into a single NotIn", () => {
    assert.deepEqual(parseSelector("a!=2,b=x,a!=1").matchExpressions, [{ key: "a", operator: "NotIn", values: ["1", "2"] }]);
  });

  it("spells in, notin, exists and !exists the Kubernetes way", () => {
    assert.deepEqual(parseSelector("x in (b, a),y notin (c),z,!w").matchExpressions, [
      { key: "w", operator: "DoesNotExist", values: [] },
      { key: "x", operator: "In", values: ["a", "b"] },
      { key: "y", operator: "NotIn", values: ["c"] },
      { key: "z", operator: "Exists", values: [] },
    ]);
  });

  it("takes prefixed keys and tolerates spaces", () => {
    const selector = parseSelector("  example.com/board = rpi4 ,  jumpstarter.dev/name  ");
    assert.deepEqual(selector.matchLabels, { "example.com/board": "rpi4" });
    assert.deepEqual(selector.matchExpressions, [{ key: "jumpstarter.dev/name", operator: "Exists", values: [] }]);
  });

  it("gives the empty selector for an empty string", () => {
    assert.equal(isEmptySelector(parseSelector("")), true);
    assert.equal(isEmptySelector(parseSelector("   ")), true);
  });

  for (const [input, operator] of [
    ["a==1", "=="],
    ["a>1", "gt"],
    ["a<1", "lt"],
  ] as const) {
    it(`refuses ${input} with the reference message`, () => {
      assert.throws(() => parseSelector(input), (error: unknown) => {
        assert.ok(error instanceof SelectorError);
        assert.equal(error.message, `unsupported label selector operator: ${operator}`);
        return true;
      });
    });
  }

  for (const bad of ["a=1,", ",a", "a in b", "a in (b", "a b", "!", "a=(", "in", "a,,b", "a notin", "=a", "a=b=c", "a>x"]) {
    it(`rejects the malformed selector ${JSON.stringify(bad)}`, () => {
      assert.throws(() => parseSelector(bad), SelectorError);
    });
  }

  for (const bad of ["-a=1", "a=-1", "a/b/c=1", "UPPER.com/a=1", `${"k".repeat(64)}=1`, `a=${"v".repeat(64)}`, "a=b c"]) {
    it(`rejects the invalid key or value in ${JSON.stringify(bad.slice(0, 20))}`, () => {
      assert.throws(() => parseSelector(bad), SelectorError);
    });
  }

  it("parses requirements sorted by key, keeping the given order for equal keys", () => {
    assert.deepEqual(
      parseRequirements("b=1,a!=2,a=3").map((r) => `${r.key}${r.operator}${r.values.join("|")}`),
      ["a!=2", "a=3", "b=1"],
    );
  });

  it("reads () as the set holding the empty value", () => {
    assert.deepEqual(parseSelector("a in ()").matchExpressions, [{ key: "a", operator: "In", values: [""] }]);
  });
});

describe("formatSelector", () => {
  it('gives "<none>" for the empty selector', () => {
    assert.equal(formatSelector({ matchLabels: {}, matchExpressions: [] }), "<none>");
  });

  it("sorts requirements by key and values within sets", () => {
    const selector = {
      matchLabels: { zone: "b", arch: "arm64" },
      matchExpressions: [
        { key: "rack", operator: "NotIn" as const, values: ["r2", "r1"] },
        { key: "board", operator: "In" as const, values: ["rpi5", "rpi4"] },
        { key: "broken", operator: "DoesNotExist" as const, values: [] },
        { key: "dut", operator: "Exists" as const, values: [] },
      ],
    };
    assert.equal(formatSelector(selector), "arch=arm64,board in (rpi4,rpi5),!broken,dut,rack notin (r1,r2),zone=b");
  });

  it("round-trips through parseSelector", () => {
    for (const text of ["a=1", "a in (x,y),b notin (z)", "!gone,here", "a=1,b notin (1,2)"]) {
      assert.equal(formatSelector(parseSelector(text)), text);
    }
    assert.equal(formatSelector(parseSelector("b!=2,a=1,b!=1")), "a=1,b notin (1,2)");
  });
});

describe("matchesSelector", () => {
  const labels = { board: "rpi4", arch: "arm64", "example.com/rack": "r1" };
  const cases: [string, boolean][] = [
    ["", true],
    ["board=rpi4", true],
    ["board=rpi5", false],
    ["board!=rpi5", true],
    ["board!=rpi4", false],
    ["missing!=x", true],
    ["board in (rpi4,rpi5)", true],
    ["board in (rpi3)", false],
    ["missing in (x)", false],
    ["board notin (rpi4)", false],
    ["missing notin (x)", true],
    ["arch", true],
    ["missing", false],
    ["!missing", true],
    ["!arch", false],
    ["board=rpi4,example.com/rack in (r1,r2),!broken", true],
    ["board=rpi4,arch=x86", false],
  ];
  for (const [selector, expected] of cases) {
    it(`${JSON.stringify(selector)} ${expected ? "matches" : "does not match"}`, () => {
      assert.equal(matchesSelector(parseSelector(selector), labels), expected);
    });
  }

  it("does not treat inherited object properties as labels", () => {
    assert.equal(matchesSelector(parseSelector("constructor"), {}), false);
    assert.equal(matchesSelector(parseSelector("toString notin (x)"), {}), true);
  });
});
