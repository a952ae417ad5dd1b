import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import { metrics } from "./measure.js";
import type { Report } from "./report.js";

const run = promisify(execFile);

describe("bench --quick", () => {
  it("reports every row with positive rates and CPU figures for all three targets", async () => {
    const entry = new URL("./run.js", import.meta.url);
    const { stdout } = await run(process.execPath, [entry.pathname, "--quick", "--json"], { maxBuffer: 1024 * 1024 });
    const report = JSON.parse(stdout) as Report;
    assert.equal(report.quick, true);
    assert.equal(report.node, process.version);
    assert.deepEqual(
      report.rows.map((row) => row.id),
      metrics.map((metric) => metric.id),
    );
    for (const row of report.rows) {
      for (const [target, result] of Object.entries(row.results)) {
        for (const [field, value] of Object.entries(result)) {
          assert.ok(Number.isFinite(value) && value > 0, `${row.id} ${target} ${field} = ${value}`);
        }
      }
    }
  });
});
