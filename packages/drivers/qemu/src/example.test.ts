// examples/virtual-board.yaml through the real `jmp shell`: the exporter it starts boots the demo board, a
// client script inside the shell drives power, console, web and storage by their top-level names, and no
// QEMU process outlives the shell.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { demoBoard, qemuPids, REPO_ROOT, waitNoQemu } from "./test-support/board.js";

const jmp = join(REPO_ROOT, "packages/cli/dist/bin/jmp.js");
const probe = fileURLToPath(new URL("./test-support/example-probe.js", import.meta.url));
let work = "";

before(async () => {
  demoBoard();
  work = await mkdtemp(join(tmpdir(), "qemu-example-"));
  await mkdir(join(work, "run"));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

function jmpShell(config: string, command: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { JUMPSTARTER_HOST: _host, JMP_DRIVERS_ALLOW: _allow, ...env } = process.env;
  const child = spawn(process.execPath, [jmp, "shell", "--exporter-config", config, "--", ...command], {
    cwd: REPO_ROOT,
    env: { ...env, XDG_RUNTIME_DIR: join(work, "run"), JMP_CLIENT_CONFIG_HOME: join(work, "config") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const killer = setTimeout(() => child.kill("SIGKILL"), 300_000);
  return new Promise((resolve) =>
    child.once("close", (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    }),
  );
}

describe("examples/virtual-board.yaml", () => {
  it("boots the board under jmp shell; power, console, web and storage work by their top-level names", async () => {
    const name = `ex${randomBytes(3).toString("hex")}`;
    const example = await readFile(join(REPO_ROOT, "examples/virtual-board.yaml"), "utf8");
    assert.match(example, /\n {6}hostname: demo\n/);
    const config = join(work, "virtual-board.yaml");
    await writeFile(config, example.replace(/\n {6}hostname: demo\n/, `\n      hostname: ${name}\n`));

    const help = await jmpShell(config, ["j", "--help"]);
    assert.equal(help.code, 0, help.stderr);
    for (const entry of ["board", "power", "console", "storage", "lamp", "shell"]) assert.match(help.stdout, new RegExp(`\\n  ${entry} `));

    const result = await jmpShell(config, [process.execPath, probe, name]);
    assert.equal(result.code, 0, result.stderr);
    const seen = JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "{}") as Record<string, string>;
    assert.match(seen["console"] ?? "", new RegExp(`\\nLinux\\r?\\n${name}\\r?\\n`));
    assert.match(seen["page"] ?? "", /Hello from the Jumpstarter demo board/);
    assert.equal(seen["hostname"], name);
    assert.equal(seen["storage"], "jumpstarter_driver_qemu.client.QemuFlasherClient");
    assert.deepEqual(qemuPids(name), []);

    const left = await jmpShell(config, ["j", "power", "on"]);
    assert.equal(left.code, 0, left.stderr);
    await waitNoQemu(name, 10_000);
  });
});
