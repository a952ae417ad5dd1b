import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { serve } from "@jumpstarter/core/testing";
import { PySerialClient } from "./client.js";
import { PySerial } from "./driver.js";
import { EscapeDetector } from "./terminal.js";
import { watch } from "./test-support/process.js";
import { createPtyPair, openPtyEnd, readUntil } from "./test-support/pty-pair.js";

const harness = fileURLToPath(new URL("./test-support/run-command.js", import.meta.url));

/** Runs `j serial <args>` (the harness) inside a fresh pty made by `script`, then prints the tty settings. */
function inTerminal(address: string, args: string) {
  const inner = `"${process.execPath}" "${harness}" "${address}" ${args}; echo "exit=$?"; stty -a`;
  return watch("script", ["-qfec", `sh -c '${inner}'`, "/dev/null"]);
}

/** Runs `j serial <args>` (the harness) with pipes for stdio. */
function withPipes(address: string, args: readonly string[]) {
  return watch(process.execPath, [harness, address, ...args]);
}

/** The termios flags of the `stty -a` printed after the command, which must be the cooked defaults again. */
function assertCooked(output: string): void {
  const settings = output.slice(output.lastIndexOf("exit="));
  assert.match(settings, /(^|\s)icanon(\s|$)/, `terminal left in raw mode:\n${settings}`);
  assert.match(settings, /(^|\s)echo(\s|$)/, `terminal echo left off:\n${settings}`);
  assert.match(settings, /(^|\s)isig(\s|$)/, `terminal signals left off:\n${settings}`);
}

describe("EscapeDetector", () => {
  it("leaves on three Ctrl-B in a row, across chunks, and forwards what came before", () => {
    const detector = new EscapeDetector();
    assert.deepEqual(detector.feed(Buffer.from("ab\x02\x02")), { forward: Buffer.from("ab\x02\x02"), exit: false });
    const last = detector.feed(Buffer.from("\x02tail"));
    assert.equal(last.exit, true);
    assert.equal(Buffer.from(last.forward).toString(), "");
    const broken = new EscapeDetector();
    assert.equal(broken.feed(Buffer.from("\x02\x02x\x02")).exit, false);
    assert.equal(broken.feed(Buffer.from("\x02")).exit, false);
    assert.equal(broken.feed(Buffer.from("\x02")).exit, true);
  });
});

describe("j serial start-console", () => {
  it("runs raw, forwards keys (Ctrl-C included), leaves on Ctrl-B x3 and restores the terminal", async () => {
    await using pair = await createPtyPair();
    const device = await openPtyEnd(pair.b);
    await using served = await serve(new PySerial({ url: pair.a }), { client: PySerialClient });
    const console = inTerminal(served.server.address, "start-console");
    try {
      await console.waitFor("Press Ctrl-B three times to exit");
      console.child.stdin!.write("secret\x03");
      assert.equal((await readUntil(device, (all) => all.includes("\x03"))).toString(), "secret\x03");
      device.write("hello from the board\r\n");
      await console.waitFor("hello from the board");
      assert.doesNotMatch(console.output(), /secret/, "raw mode must not echo typed keys");
      console.child.stdin!.write("\x02\x02\x02");
      assert.equal((await console.exited).code, 0);
      assert.match(console.output(), /exit=0/);
      assertCooked(console.output());
    } finally {
      device.destroy();
      await console.kill();
    }
  });

  it("restores the terminal when killed by SIGTERM", async () => {
    await using pair = await createPtyPair();
    await using served = await serve(new PySerial({ url: pair.a }), { client: PySerialClient });
    const console = inTerminal(served.server.address, "start-console");
    try {
      const [, pid] = (await console.waitFor(/harness-pid=(\d+)/)) as RegExpMatchArray;
      await console.waitFor("Press Ctrl-B three times to exit");
      process.kill(Number(pid), "SIGTERM");
      await console.exited;
      assert.match(console.output(), /exit=143/);
      assertCooked(console.output());
    } finally {
      await console.kill();
    }
  });

  it("restores the terminal and fails when the port disappears", async () => {
    const pair = await createPtyPair();
    await using served = await serve(new PySerial({ url: pair.a }), { client: PySerialClient });
    const console = inTerminal(served.server.address, "start-console");
    try {
      await console.waitFor("Press Ctrl-B three times to exit");
      await pair.close();
      await console.exited;
      assert.match(console.output(), /exit=1\r?\n/);
      assert.match(console.output(), /Error: serial port \S+ disconnected/);
      assertCooked(console.output());
    } finally {
      await console.kill();
      await pair.close();
    }
  });

  it("refuses to run without a terminal", async () => {
    await using served = await serve(new PySerial({ url: "loop://" }), { client: PySerialClient });
    const command = withPipes(served.server.address, ["start-console"]);
    assert.equal((await command.exited).code, 1);
    assert.match(command.output(), /Error: start-console needs a terminal on stdin; use `j serial pipe`/);
  });
});

describe("j serial pipe", () => {
  it("sends piped stdin, prints the port, and keeps monitoring after stdin ends until SIGINT", async () => {
    await using pair = await createPtyPair();
    const device = await openPtyEnd(pair.b);
    await using served = await serve(new PySerial({ url: pair.a }), { client: PySerialClient });
    const command = withPipes(served.server.address, ["pipe"]);
    try {
      await command.waitFor("harness-pid=");
      command.child.stdin!.end("hello device\n");
      assert.equal((await readUntil(device, (all) => all.includes("\n"))).toString(), "hello device\n");
      device.write("line after stdin ended\n");
      await command.waitFor("line after stdin ended\n");
      command.child.kill("SIGINT");
      assert.equal((await command.exited).code, 0);
    } finally {
      device.destroy();
      await command.kill();
    }
  });

  it("--no-output sends all of stdin and exits at its end", async () => {
    await using pair = await createPtyPair();
    const device = await openPtyEnd(pair.b);
    await using served = await serve(new PySerial({ url: pair.a }), { client: PySerialClient });
    const command = withPipes(served.server.address, ["pipe", "--no-output"]);
    try {
      const payload = randomBytes(48 * 1024).toString("hex");
      const received = readUntil(device, (all) => all.length >= payload.length);
      command.child.stdin!.end(payload);
      assert.equal((await command.exited).code, 0);
      assert.equal((await received).toString(), payload);
    } finally {
      device.destroy();
      await command.kill();
    }
  });

  it("writes to a file with -o and appends with -a", async () => {
    const directory = await mkdtemp(join(tmpdir(), "jmp-pipe-"));
    try {
      await using pair = await createPtyPair();
      const device = await openPtyEnd(pair.b);
      await using served = await serve(new PySerial({ url: pair.a }), { client: PySerialClient });
      const log = join(directory, "serial.log");
      await writeFile(log, "old\n");
      for (const [args, line, expected] of [
        [["-o", log, "--no-input"], "boot 1\n", /^(boot 1\n)+$/],
        [["-o", log, "-a", "--no-input"], "boot 2\n", /^(boot 1\n)+(boot 2\n)+$/],
      ] as const) {
        const command = withPipes(served.server.address, ["pipe", ...args]);
        // The port may not be open yet when the device first speaks, so it repeats itself like a boot log.
        const speaker = setInterval(() => device.write(line), 100);
        try {
          await waitForFile(log, (text) => expected.test(text));
          clearInterval(speaker);
          command.child.kill("SIGINT");
          assert.equal((await command.exited).code, 0);
        } finally {
          clearInterval(speaker);
          await command.kill();
        }
      }
      device.destroy();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it("rejects contradictory options", async () => {
    await using served = await serve(new PySerial({ url: "loop://" }), { client: PySerialClient });
    const command = withPipes(served.server.address, ["pipe", "--no-output", "-o", "x.log"]);
    assert.equal((await command.exited).code, 1);
    assert.match(command.output(), /Error: --no-output cannot be combined with --output or --append/);
  });
});

/** Polls a file until its content satisfies `predicate` (bounded to avoid hanging). */
async function waitForFile(path: string, predicate: (text: string) => boolean): Promise<void> {
  let text = "";
  for (let attempt = 0; attempt < 300; attempt++) {
    text = await readFile(path, "utf8").catch(() => "");
    if (predicate(text)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`file ${path} never reached the expected content; last: ${JSON.stringify(text)}`);
}
