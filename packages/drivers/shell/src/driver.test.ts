import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { Code } from "@jumpstarter/core";
import { serve } from "@jumpstarter/core/testing";
import { ShellClient } from "./client.js";
import type { ShellConfig } from "./config.js";
import { Shell } from "./driver.js";
import type { ShellChunk } from "./interface.js";
import { TIMEOUT_RETURN_CODE } from "./interface.js";

let dir = "";
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "shell-driver-"));
});
after(() => rm(dir, { recursive: true, force: true }));

/** Whether `pid` still runs; a zombie (killed, not yet reaped by init) counts as gone. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return !existsSync("/proc/self/stat");
  }
}

/** Waits (bounded only to avoid a hang) until `check` holds. */
async function eventually(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await sleep(50);
  }
  assert.fail(`never happened: ${what}`);
}

async function readPid(file: string): Promise<number> {
  await eventually(async () => existsSync(file) && (await readFile(file, "utf8")).trim() !== "", `${file} written`);
  return Number((await readFile(file, "utf8")).trim());
}

function shell(config: Partial<ShellConfig> = {}): Shell {
  return new Shell({
    methods: {
      hello: "echo hello-from-shell",
      greet: { command: 'echo "greet $1"', description: "echo the first argument" },
      args: 'printf "%s|" "$0" "$@"',
      env: 'echo "$GREETING $TARGET"',
      fail: "echo oops >&2; exit 3",
      live: 'echo first; while [ ! -e "$1" ]; do sleep 0.05; done; echo second',
      slow: { command: 'sleep 60 & echo $! > "$1"; wait', timeout: 0.5 },
      hang: 'sleep 60 & echo $! > "$1"; wait',
      where: "pwd",
      _private: "echo hidden",
    },
    ...config,
  });
}

async function collect(client: ShellClient, method: string, args: unknown[]): Promise<ShellChunk[]> {
  const chunks: ShellChunk[] = [];
  for await (const value of client.streamingCall("call_method", [method, {}, ...args])) chunks.push(value as ShellChunk);
  return chunks;
}

describe("Shell", () => {
  it("lists methods in config order and reports descriptions", async () => {
    await using served = await serve(shell(), { client: ShellClient });
    assert.deepEqual(await served.client.call("get_methods"), ["hello", "greet", "args", "env", "fail", "live", "slow", "hang", "where", "_private"]);
    assert.deepEqual(served.client.methodsDescription, { greet: "echo the first argument" });
  });

  it("streams output first and ends with the return code, as the reference vector does", async () => {
    await using served = await serve(shell(), { client: ShellClient });
    assert.deepEqual(await collect(served.client, "hello", []), [
      ["hello-from-shell\n", "", null],
      ["", "", 0],
    ]);
  });

  it("passes the method name as $0 and the arguments as $1…", async () => {
    await using served = await serve(shell(), { client: ShellClient });
    const result = await served.client.callMethod("args", ["a b", "", "--x"]);
    assert.deepEqual(result, { stdout: "args|a b||--x|", stderr: "", returncode: 0 });
    assert.equal((await served.client.callMethod("greet", ["world"])).stdout, "greet world\n");
  });

  it("adds the caller's environment and refuses dangerous variables", async () => {
    await using served = await serve(shell(), { client: ShellClient });
    const result = await served.client.callMethod("env", [], { env: { GREETING: "hi", TARGET: "board" } });
    assert.equal(result.stdout, "hi board\n");
    for (const name of ["LD_PRELOAD", "PATH", "BASH_ENV", "BASH_FUNC_x%%"]) {
      await assert.rejects(served.client.callMethod("env", [], { env: { [name]: "x" } }), { code: Code.INVALID_ARGUMENT });
    }
    await assert.rejects(collect(served.client, "env", []).then(() => served.client.streamingCall("call_method", ["env", { A: 1 }]).next()), {
      code: Code.INVALID_ARGUMENT,
      message: "Environment variable 'A' must be a string",
    });
  });

  it("reports stderr and a failing return code", async () => {
    await using served = await serve(shell(), { client: ShellClient });
    assert.deepEqual(await served.client.callMethod("fail"), { stdout: "", stderr: "oops\n", returncode: 3 });
  });

  it("delivers output live, while the script still runs", async () => {
    await using served = await serve(shell(), { client: ShellClient });
    const gate = join(dir, "gate");
    const seen: string[] = [];
    for await (const chunk of served.client.run("live", [gate])) {
      seen.push(chunk.stdout);
      if (chunk.stdout === "first\n") await writeFile(gate, "");
    }
    assert.deepEqual(seen.filter(Boolean), ["first\n", "second\n"]);
  });

  it("kills the whole process group on timeout and says so", async () => {
    await using served = await serve(shell(), { client: ShellClient });
    const pidFile = join(dir, "slow.pid");
    const chunks = await collect(served.client, "slow", [pidFile]);
    const last = chunks.at(-1)!;
    assert.equal(last[2], TIMEOUT_RETURN_CODE);
    assert.match(last[1], /Timeout expired while running slow: no exit after 0.5 seconds, process group terminated/);
    const pid = await readPid(pidFile);
    await eventually(() => !alive(pid), "background sleep killed");
  });

  it("terminates the script when the caller goes away", async () => {
    await using served = await serve(shell(), { client: ShellClient });
    const pidFile = join(dir, "hang.pid");
    const controller = new AbortController();
    const running = served.client.callMethod("hang", [pidFile], { signal: controller.signal });
    const pid = await readPid(pidFile);
    assert.ok(alive(pid));
    controller.abort();
    await assert.rejects(running);
    await eventually(() => !alive(pid), "background sleep killed after cancel");
  });

  it("terminates running scripts on close", async () => {
    const driver = shell();
    await using served = await serve(driver, { client: ShellClient });
    const pidFile = join(dir, "close.pid");
    const running = served.client.callMethod("hang", [pidFile]);
    const pid = await readPid(pidFile);
    await driver.close();
    await eventually(() => !alive(pid), "background sleep killed on close");
    assert.deepEqual(await running, { stdout: "", stderr: "", returncode: -15 });
  });

  it("runs in cwd and rejects unknown methods and bad arguments clearly", async () => {
    await using served = await serve(shell({ cwd: dir }), { client: ShellClient });
    assert.equal((await served.client.callMethod("where")).stdout.trim(), dir);
    await assert.rejects(collect(served.client, "nope", []), {
      code: Code.INVALID_ARGUMENT,
      message: 'Method "nope" not found in available methods: ["hello","greet","args","env","fail","live","slow","hang","where","_private"]',
    });
    await assert.rejects(served.client.callMethod("nope"), { code: Code.NOT_FOUND, message: /shell method "nope" not found; available: hello, greet/ });
    await assert.rejects(collect(served.client, "greet", [5]), { code: Code.INVALID_ARGUMENT, message: "All arguments must be strings, got number" });
    await using missing = await serve(shell({ cwd: join(dir, "missing") }), { client: ShellClient });
    await assert.rejects(missing.client.callMethod("hello"), { message: /Working directory does not exist/ });
  });

  it("uses the configured shell program", async () => {
    await using served = await serve(new Shell({ methods: { who: "echo $0 $1" }, shell: ["sh", "-c"] }), { client: ShellClient });
    assert.equal((await served.client.callMethod("who", ["x"])).stdout, "who x\n");
  });

  it("validates config with the reference keys", () => {
    const ok = Shell.configSchema.safeParse({ methods: { a: "x", b: { description: "d" } }, shell: ["sh", "-c"], timeout: 5, cwd: "/tmp", log_level: "debug" });
    assert.equal(ok.success, true);
    assert.equal(ok.data?.methods["b"] && typeof ok.data.methods["b"] !== "string" ? ok.data.methods["b"].command : "", "echo Hello");
    for (const bad of [{}, { methods: "x" }, { methods: { a: { command: "x", extra: 1 } } }, { methods: {}, shell: [] }, { methods: {}, timeout: -1 }, { methods: {}, env: {} }]) {
      assert.equal(Shell.configSchema.safeParse(bad).success, false, JSON.stringify(bad));
    }
    assert.throws(() => new Shell({ methods: {}, timeout: 0 }), { code: Code.INVALID_ARGUMENT, message: /invalid Shell config: timeout/ });
  });
});
