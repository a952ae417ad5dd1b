import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { HookConfig } from "../config/exporter-config.js";
import { hookCommand, runHook } from "./hooks.js";

let dir = "";
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "jmp-hooks-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const hook = (script: string, extra: Partial<HookConfig> = {}): HookConfig => ({ script, timeout: 30, onFailure: "warn", ...extra });

function context(lines: string[], extra: { motdFile?: string } = {}) {
  return { directory: dir, host: "/run/hook.sock", leaseName: "lease-1", clientName: "alice", output: (line: string) => lines.push(line), ...extra };
}

describe("lifecycle hooks", () => {
  it("runs inline scripts with the session environment and streams each output line", async () => {
    const lines: string[] = [];
    const motdFile = join(dir, "motd");
    const result = await runHook(
      hook('echo "host=$JUMPSTARTER_HOST lease=$LEASE_NAME client=$CLIENT_NAME term=$TERM allow=$JMP_DRIVERS_ALLOW ps1=$(env | grep -c ^PS1=)"\necho oops >&2\necho "motd text" > "$JMP_MOTD_FILE"'),
      { ...context(lines, { motdFile }), env: { ...process.env, PS1: "$ " } },
    );
    assert.deepEqual(result, { success: true });
    assert.deepEqual(lines.sort(), ["host=/run/hook.sock lease=lease-1 client=alice term=dumb allow=UNSAFE ps1=0", "oops"].sort());
    assert.equal(await readFile(motdFile, "utf8"), "motd text\n");
  });

  it("runs script files with an interpreter chosen by exec or extension", async () => {
    await writeFile(join(dir, "hook.sh"), "echo from-file $0\n");
    await writeFile(join(dir, "hook.mjs"), "console.log('from-node', process.argv.length);\n");
    assert.deepEqual(hookCommand(hook("hook.sh"), dir), ["/bin/sh", join(dir, "hook.sh")]);
    assert.deepEqual(hookCommand(hook("hook.sh", { exec: "/bin/bash" }), dir), ["/bin/bash", join(dir, "hook.sh")]);
    assert.deepEqual(hookCommand(hook("hook.mjs"), dir), [process.execPath, join(dir, "hook.mjs")]);
    assert.deepEqual(hookCommand(hook("print(1)", { exec: "python3" }), dir), ["python3", "-c", "print(1)"]);
    const lines: string[] = [];
    assert.deepEqual(await runHook(hook("hook.mjs"), context(lines)), { success: true });
    assert.deepEqual(lines, ["from-node 2"]);
  });

  it("fails on a non-zero exit code and on a timeout, killing the whole group", async () => {
    const lines: string[] = [];
    assert.deepEqual(await runHook(hook("echo before; exit 3"), context(lines)), { success: false, message: "Hook failed with exit code 3" });
    const pidFile = join(dir, "sleeper.pid");
    const timedOut = await runHook(hook(`sleep 60 & echo $! > ${pidFile}; wait`, { timeout: 1 }), context(lines));
    assert.deepEqual(timedOut, { success: false, message: "Hook timed out after 1 seconds" });
    const pid = Number((await readFile(pidFile, "utf8")).trim());
    let alive = true;
    for (let attempt = 0; attempt < 100 && alive; attempt++) {
      try {
        process.kill(pid, 0);
        await new Promise((resolve) => setTimeout(resolve, 50));
      } catch {
        alive = false;
      }
    }
    assert.equal(alive, false, "the hook's background process survived");
    const missing = await runHook(hook("x", { exec: "/nonexistent/interpreter" }), context(lines));
    assert.equal(missing.success, false);
    assert.match(!missing.success ? missing.message : "", /^Hook could not start: \/nonexistent\/interpreter: .*ENOENT/);
  });
});
