import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Code } from "@jumpstarter/core";
import { formatSize, parseSize } from "./size.js";

describe("parseSize", () => {
  it("reads a bare prefix and iB units as binary, B units as decimal, plain numbers as bytes", () => {
    assert.equal(parseSize("512M"), 512 * 1024 ** 2);
    assert.equal(parseSize("20g"), 20 * 1024 ** 3);
    assert.equal(parseSize("2T"), 2 * 1024 ** 4);
    assert.equal(parseSize("1GiB"), 1024 ** 3);
    assert.equal(parseSize("1GB"), 1e9);
    assert.equal(parseSize("1.5G"), 1.5 * 1024 ** 3);
    assert.equal(parseSize("4096"), 4096);
    assert.equal(parseSize("100b"), 100);
  });

  it("refuses anything else with INVALID_ARGUMENT and an example", () => {
    for (const bad of ["", "G", "-1G", "12X", "1 G B", "0", "1iB", "ten"]) {
      assert.throws(() => parseSize(bad), { code: Code.INVALID_ARGUMENT, message: /Invalid size: .*e\.g\. '20G'/ });
    }
  });
});

describe("formatSize", () => {
  it("prints binary units", () => {
    assert.equal(formatSize(512), "512 B");
    assert.equal(formatSize(8 * 1024 ** 2), "8 MiB");
    assert.equal(formatSize(1.5 * 1024 ** 3), "1.5 GiB");
  });
});
