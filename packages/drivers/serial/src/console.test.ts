import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { describe, it } from "node:test";
import { Code } from "@jumpstarter/core";
import type { JumpstarterError } from "@jumpstarter/core";
import { serve } from "@jumpstarter/core/testing";
import { PySerialClient } from "./client.js";
import { PySerial } from "./driver.js";
import { createPtyPair } from "./test-support/pty-pair.js";

/**
 * A simulated board on the far pty end, in its own process: a login prompt, a password check and a shell
 * that answers `uname -a`. It speaks only after the first line it receives, like a console woken by Enter.
 */
const boardScript = String.raw`
const fs = require("node:fs");
const fd = fs.openSync(process.argv[1], fs.constants.O_RDWR | fs.constants.O_NOCTTY);
const write = (text) => fs.writeSync(fd, text);
let state = "asleep";
let buffer = "";
const answer = (line) => {
  if (state === "asleep") { write("\r\nDebian GNU/Linux 12 board ttyS0\r\n\r\nboard login: "); state = "login"; return; }
  if (state === "login") { write(line + "\r\nPassword: "); state = line === "root" ? "password" : "bad-user"; return; }
  if (state === "password" || state === "bad-user") {
    if (state === "password" && line === "secret") { write("\r\nLast login: never\r\nroot@board:~# "); state = "shell"; }
    else { write("\r\nLogin incorrect\r\nboard login: "); state = "login"; }
    return;
  }
  write(line + "\r\n");
  if (line === "uname -a") write("Linux board 6.1.0-arm64 #1 SMP aarch64 GNU/Linux\r\n");
  else if (line.length > 0) write("-sh: " + line.split(" ")[0] + ": not found\r\n");
  write("root@board:~# ");
};
const chunk = Buffer.alloc(4096);
const poll = () => {
  fs.read(fd, chunk, 0, chunk.length, null, (error, n) => {
    if (error) process.exit(0);
    buffer += chunk.subarray(0, n).toString();
    let index;
    while ((index = buffer.search(/\r|\n/)) >= 0) {
      const line = buffer.slice(0, index);
      buffer = buffer.slice(index + 1).replace(/^\n/, "");
      answer(line);
    }
    poll();
  });
};
poll();
`;

async function startBoard(path: string): Promise<ChildProcess> {
  const board = spawn(process.execPath, ["-e", boardScript, path], { stdio: "ignore" });
  await once(board, "spawn");
  return board;
}

async function stopBoard(board: ChildProcess): Promise<void> {
  if (board.exitCode !== null || board.signalCode !== null) return;
  const exited = once(board, "exit");
  board.kill();
  await exited;
}

describe("SerialConsole", () => {
  it("logs in to a board with expect/sendline and reads command output", async () => {
    await using pair = await createPtyPair();
    const board = await startBoard(pair.b);
    try {
      await using served = await serve(new PySerial({ url: pair.a }), { client: PySerialClient });
      await using console = await served.client.console({ timeoutMs: 30_000 });
      await console.sendline();
      await console.expect(/login: $/);
      await console.sendline("root");
      await console.expect("Password: ");
      await console.sendline("secret");
      await console.expect(/root@board:~# $/);
      await console.sendline("uname -a");
      const result = await console.expect(/Linux (\S+) (\S+)/);
      assert.deepEqual(result.groups, ["board", "6.1.0-arm64"]);
      assert.match(result.before, /uname -a\r\n$/);
      await console.expect("root@board:~# ");
      assert.match(console.transcript, /Last login: never/);
    } finally {
      await stopBoard(board);
    }
  });

  it("times out with the last lines of output in the error", async () => {
    await using pair = await createPtyPair();
    const board = await startBoard(pair.b);
    try {
      await using served = await serve(new PySerial({ url: pair.a }), { client: PySerialClient });
      await using console = await served.client.console();
      await console.sendline();
      await console.expect("login: ");
      await console.sendline("admin");
      await console.expect("Password: ");
      await console.sendline("wrong");
      await assert.rejects(console.expect(/root@board/, { timeoutMs: 500 }), (error: JumpstarterError) => {
        assert.equal(error.code, Code.DEADLINE_EXCEEDED);
        assert.match(error.message, /^timed out after 500 ms waiting for \/root@board\/; last \d+ line\(s\) of output:\n/);
        assert.match(error.message, /\n {2}\| Login incorrect\n {2}\| board login: $/);
        return true;
      });
    } finally {
      await stopBoard(board);
    }
  });

  it("says so when nothing was received", async () => {
    await using served = await serve(new PySerial({ url: "loop://" }), { client: PySerialClient });
    await using console = await served.client.console();
    await assert.rejects(console.expect("never", { timeoutMs: 100 }), /timed out after 100 ms waiting for "never"; no output received/);
  });

  it("keeps at most the configured number of context lines", async () => {
    await using served = await serve(new PySerial({ url: "loop://" }), { client: PySerialClient });
    await using console = await served.client.console({ contextLines: 3 });
    await console.send(Array.from({ length: 30 }, (_, i) => `line ${i}`).join("\r\n"));
    await console.expect("line 29");
    await assert.rejects(console.expect("absent", { timeoutMs: 100 }), (error: Error) => {
      assert.match(error.message, /last 3 line\(s\) of output:\n {2}\| line 27\n {2}\| line 28\n {2}\| line 29$/);
      return true;
    });
  });

  it("fails fast when the port goes away while waiting", async () => {
    const pair = await createPtyPair();
    await using served = await serve(new PySerial({ url: pair.a }), { client: PySerialClient });
    await using console = await served.client.console();
    const waiting = assert.rejects(console.expect("never", { timeoutMs: 60_000 }), (error: JumpstarterError) => {
      assert.match(error.message, /serial console (closed|failed) while waiting for "never"/);
      return true;
    });
    await pair.close();
    await waiting;
  });

  it("stops waiting when the signal aborts", async () => {
    await using served = await serve(new PySerial({ url: "loop://" }), { client: PySerialClient });
    await using console = await served.client.console();
    const controller = new AbortController();
    const waiting = console.expect("never", { timeoutMs: 60_000, signal: controller.signal });
    controller.abort(new Error("test over"));
    await assert.rejects(waiting, /test over/);
  });
});
