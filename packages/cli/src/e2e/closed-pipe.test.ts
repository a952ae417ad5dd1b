import assert from "node:assert/strict";
import { join } from "node:path";
import { it } from "node:test";
import { EXAMPLES_DIR, JMP_BIN, runCli } from "../testing/spawn-cli.js";

it("j ends quietly with status 141 when its reader goes away", async () => {
  const { JUMPSTARTER_HOST: _host, ...env } = process.env;
  const script = 'j power read -n 200 | head -n 1; echo "j-status=${PIPESTATUS[0]}"';
  const result = await runCli(JMP_BIN, ["shell", "--exporter-config", join(EXAMPLES_DIR, "demo.yaml"), "--", "bash", "-c", script], { env });
  assert.equal(result.code, 0);
  assert.match(result.stdout, /^voltage=0\.0 V {2}current=0\.0 A[^\n]*\nj-status=141\n$/);
  assert.doesNotMatch(result.stderr, /EPIPE|Error/);
});
