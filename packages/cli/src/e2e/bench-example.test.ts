import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, it } from "node:test";
import { parseDocument } from "yaml";
import { EXAMPLES_DIR, JMP_BIN, runCli } from "../testing/spawn-cli.js";

let work = "";
let config = "";
const echo = createServer((socket) => socket.pipe(socket));

before(async () => {
  work = await mkdtemp(join(tmpdir(), "jmp-e2e-bench-"));
  echo.listen(0, "127.0.0.1");
  await once(echo, "listening");
  const document = parseDocument(await readFile(join(EXAMPLES_DIR, "bench.yaml"), "utf8"));
  document.setIn(["export", "tcp", "config", "port"], (echo.address() as AddressInfo).port);
  config = join(work, "bench.yaml");
  await writeFile(config, document.toString());
});
after(async () => {
  echo.close();
  await rm(work, { recursive: true, force: true });
});

it("drives every wave-1 driver of examples/bench.yaml through jmp shell and j", async () => {
  const image = join(work, "image.bin");
  const copy = join(work, "copy.bin");
  const bytes = randomBytes(3 * 1024 * 1024 + 17);
  await writeFile(image, bytes);
  const script = [
    "set -e",
    "j power on",
    "j power read",
    "j tcp address",
    "echo hello-serial | j serial pipe --no-output",
    "printf 'ping\\n' | timeout 5 j harness debugger serial pipe > serial.out || true",
    `j storage flash ${image}`,
    `j storage dump ${copy}`,
    "j shell check-disk",
    "j harness power off",
  ].join("\n");
  const { JUMPSTARTER_HOST: _host, ...env } = process.env;
  const result = await runCli(JMP_BIN, ["shell", "--exporter-config", config, "--", "bash", "-c", script], { env, cwd: work });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /voltage=5\.0 V {2}current=2\.0 A/);
  assert.match(result.stdout, new RegExp(`tcp://127\\.0\\.0\\.1:${(echo.address() as AddressInfo).port}`));
  assert.match(result.stdout, /\d+%/);
  assert.equal(await readFile(join(work, "serial.out"), "utf8"), "ping\n");
  const digest = (data: Buffer) => createHash("sha256").update(data).digest("hex");
  assert.equal(digest(await readFile(copy)), digest(bytes));
});
