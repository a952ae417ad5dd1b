// Runs every compiled test file (`*.test.js` under packages/*/dist and bench/dist) with node's test runner.
// Usage: node scripts/run-tests.mjs [filter...]   (filters are substrings of the file path)
import { spawnSync } from "node:child_process";
import { globSync } from "node:fs";

const filters = process.argv.slice(2);
const files = globSync(["packages/*/dist/**/*.test.js", "packages/drivers/*/dist/**/*.test.js", "bench/dist/**/*.test.js", "e2e/dist/**/*.test.js"])
  .filter((file) => !file.includes("node_modules"))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();
if (files.length === 0) {
  console.error("run-tests: no test files found; run the build first (tsc -b)");
  process.exit(1);
}
const result = spawnSync(process.execPath, ["--test", "--test-concurrency=2", ...files], { stdio: "inherit" });
process.exit(result.status ?? 1);
