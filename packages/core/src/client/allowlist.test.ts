import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { allowlistFromEnv, emptyAllowlist, fnmatchcase, isAllowed, unsafeAllowlist } from "./allowlist.js";

/** [name, pattern, what Python 3.11's fnmatch.fnmatchcase answers] — generated with CPython. */
const pythonAnswers: Array<[string, string, boolean]> = [
  ["jumpstarter_driver_power.client.PowerClient", "jumpstarter_driver_*", true],
  ["Jumpstarter_driver_power.client.PowerClient", "jumpstarter_driver_*", false],
  ["jumpstarter_driver_power.client.PowerClient", "jumpstarter_drivers_*", false],
  ["jumpstarter_driver_power.client.PowerClient", "*.client.*Client", true],
  ["ab", "a?", true],
  ["a", "a?", false],
  ["abc", "a?", false],
  ["a", "[ab]", true],
  ["c", "[ab]", false],
  ["c", "[!ab]", true],
  ["a", "[!ab]", false],
  ["b", "[a-c]", true],
  ["d", "[a-c]", false],
  ["d", "[!a-c]", true],
  ["]", "[]]", true],
  ["a", "[]]", false],
  ["a", "[!]]", true],
  ["]", "[!]]", false],
  ["[!]", "[!]", true],
  ["a", "[!]", false],
  ["[x", "[x", true],
  ["[", "[", true],
  ["a", "[z-a]", false],
  ["z", "[z-a]", false],
  ["q", "[!z-a]", true],
  ["", "*", true],
  ["a.b\nc", "*", true],
  ["a/b", "a*b", true],
  ["axbxc", "a*b*c", true],
  ["axbxcxd", "a*b*c", false],
  ["abcbc", "a*bc", true],
  ["a.b", "a.b", true],
  ["axb", "a.b", false],
  ["(x)", "(x)", true],
  ["a+", "a+", true],
  ["aa", "a+", false],
  ["a\\b", "a\\b", true],
  ["\\", "[\\]", true],
  ["-", "[a-]", true],
  ["a", "[a-]", true],
  ["b", "[a-]", false],
  ["-", "[-a]", true],
  ["x", "[ab-a]", false],
  ["a", "[ab-a]", true],
  ["b", "[ab-a]", false],
  ["é", "?", true],
  ["é", "[à-ö]", true],
  ["abc", "ab", false],
  ["ab", "abc", false],
  ["^", "[^]", true],
  ["a", "[^a]", true],
  ["$", "$", true],
  ["x", "[a-cx-z]", true],
  ["-", "[a-c-e]", true],
  ["d", "[a-c-e]", false],
  ["e", "[a-c-e]", true],
  ["pkg.mod.Client", "pkg.*.Client", true],
  ["pkg.Client", "pkg.*.Client", false],
  ["a**b", "a**b", true],
  ["ab", "a**b", true],
];

describe("fnmatchcase", () => {
  it("answers like Python's fnmatch.fnmatchcase", () => {
    for (const [name, pattern, expected] of pythonAnswers) {
      assert.equal(fnmatchcase(name, pattern), expected, `fnmatchcase(${JSON.stringify(name)}, ${JSON.stringify(pattern)})`);
    }
  });

  it("never throws on odd patterns and copes with many stars", () => {
    for (const pattern of ["[z-a]", "[", "[!", "[]", "\\", "(", "*?*?*[", "[a-\\]"]) assert.doesNotThrow(() => fnmatchcase("abc", pattern));
    assert.equal(fnmatchcase("a".repeat(5000), `${"*a".repeat(50)}b`), false);
  });
});

describe("driver allowlist", () => {
  const fallback = { allow: ["from_config.*"], unsafe: false };

  it("falls back to the client config when neither variable is set", () => {
    assert.equal(allowlistFromEnv({}, fallback), fallback);
    assert.equal(allowlistFromEnv({}), emptyAllowlist);
  });

  it("reads comma-separated globs from JMP_DRIVERS_ALLOW, the UNSAFE token allowing everything", () => {
    assert.deepEqual(allowlistFromEnv({ JMP_DRIVERS_ALLOW: "jumpstarter_driver_*, vendor.* ,," }, fallback), {
      allow: ["jumpstarter_driver_*", "vendor.*"],
      unsafe: false,
    });
    assert.deepEqual(allowlistFromEnv({ JMP_DRIVERS_ALLOW: "UNSAFE" }, fallback), { allow: [], unsafe: true });
    assert.deepEqual(allowlistFromEnv({ JMP_DRIVERS_ALLOW: "a.*,UNSAFE" }), { allow: ["a.*"], unsafe: true });
    assert.deepEqual(allowlistFromEnv({ JMP_DRIVERS_ALLOW: "" }, fallback), { allow: [], unsafe: false });
  });

  it("reads JMP_DRIVERS_UNSAFE as a pydantic bool", () => {
    for (const value of ["1", "true", "TRUE", "yes", "on", "t", "y"]) {
      assert.equal(allowlistFromEnv({ JMP_DRIVERS_UNSAFE: value }).unsafe, true, value);
    }
    for (const value of ["0", "false", "no", "off", ""]) assert.equal(allowlistFromEnv({ JMP_DRIVERS_UNSAFE: value }).unsafe, false, value);
    assert.deepEqual(allowlistFromEnv({ JMP_DRIVERS_UNSAFE: "1", JMP_DRIVERS_ALLOW: "x.*" }), { allow: ["x.*"], unsafe: true });
  });

  it("allows a label matching any pattern, or anything when unsafe", () => {
    const list = { allow: ["jumpstarter_driver_power.*", "vendor_[ab].client.*"], unsafe: false };
    assert.equal(isAllowed("jumpstarter_driver_power.client.PowerClient", list), true);
    assert.equal(isAllowed("vendor_b.client.X", list), true);
    assert.equal(isAllowed("vendor_c.client.X", list), false);
    assert.equal(isAllowed("JUMPSTARTER_DRIVER_POWER.client.PowerClient", list), false);
    assert.equal(isAllowed("anything.at.All", unsafeAllowlist), true);
    assert.equal(isAllowed("jumpstarter_driver_power.client.PowerClient", emptyAllowlist), false);
  });
});
