import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { commandOutput } from "./command-output.js";

describe("commandOutput", () => {
  it("writes through the writers configured at the time of each write", () => {
    const written: string[] = [];
    let configured: { writeOut?: (text: string) => void; writeErr?: (text: string) => void } = {};
    const output = commandOutput({ configureOutput: () => configured });
    configured = { writeOut: (text) => written.push(`out:${text}`), writeErr: (text) => written.push(`err:${text}`) };
    output.out("a");
    output.err("b");
    assert.deepEqual(written, ["out:a", "err:b"]);
  });

  it("falls back to process.stdout and process.stderr", (t) => {
    const written: string[] = [];
    t.mock.method(process.stdout, "write", (text: string) => written.push(`stdout:${text}`));
    t.mock.method(process.stderr, "write", (text: string) => written.push(`stderr:${text}`));
    const output = commandOutput({ configureOutput: () => ({}) });
    output.out("a");
    output.err("b");
    t.mock.restoreAll();
    assert.deepEqual(written, ["stdout:a", "stderr:b"]);
  });
});
