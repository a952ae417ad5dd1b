import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { equalityPart, matches, parseRequirements, selectedLabels } from "./selector-filter.js";

describe("client-side selectors", () => {
  it("parses every operator, with commas inside sets", () => {
    assert.deepEqual(parseRequirements("a=1, b!=2,c in (x, y),d notin (z),e,!f,g==3"), [
      { key: "a", op: "=", value: "1" },
      { key: "b", op: "!=", value: "2" },
      { key: "c", op: "in", values: ["x", "y"] },
      { key: "d", op: "notin", values: ["z"] },
      { key: "e", op: "exists" },
      { key: "f", op: "!exists" },
      { key: "g", op: "=", value: "3" },
    ]);
    assert.deepEqual(parseRequirements(""), []);
    assert.throws(() => parseRequirements("a in x"), { message: /cannot parse "a in x"/ });
  });

  it("sends only equality terms and matches the whole selector", () => {
    const requirements = parseRequirements("board=rpi,site in (lab1,lab2),!broken");
    assert.equal(equalityPart(requirements), "board=rpi");
    assert.equal(matches(requirements, { board: "rpi", site: "lab2" }), true);
    assert.equal(matches(requirements, { board: "rpi", site: "lab3" }), false);
    assert.equal(matches(requirements, { board: "rpi", site: "lab1", broken: "yes" }), false);
    assert.equal(matches(parseRequirements("a notin (1)"), {}), true);
  });

  it("reads the labels a lease selects from its canonical selector string", () => {
    assert.deepEqual(selectedLabels("board=rpi,site in (a),x"), { board: "rpi" });
    assert.deepEqual(selectedLabels("<none>"), {});
  });
});
