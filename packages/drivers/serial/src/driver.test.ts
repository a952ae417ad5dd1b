import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { promisify } from "node:util";
import { describe, it } from "node:test";
import { SerialPort } from "serialport";
import { Code, ConnectionError } from "@jumpstarter/core";
import type { JumpstarterError } from "@jumpstarter/core";
import { serve } from "@jumpstarter/core/testing";
import { PySerialClient } from "./client.js";
import { PySerial, pySerialConfigSchema } from "./driver.js";
import { createPtyPair, openPtyEnd, readUntil } from "./test-support/pty-pair.js";
import { runPySerialContract } from "./testing.js";

const run = promisify(execFile);

/** termios settings of a tty as `stty -a` prints them. */
async function stty(path: string): Promise<string> {
  const { stdout } = await run("stty", ["-F", path, "-a"]);
  return stdout;
}

describe("PySerial contract over a socat pty pair", () => {
  runPySerialContract(async () => {
    const pair = await createPtyPair();
    const peer = await openPtyEnd(pair.b);
    const driver = new PySerial({ url: pair.a });
    return {
      driver,
      peer,
      [Symbol.asyncDispose]: async () => {
        peer.destroy();
        await driver.close();
        await pair.close();
      },
    };
  });
});

describe("PySerial contract on loop://", () => {
  runPySerialContract(async () => ({ driver: new PySerial({ url: "loop://" }), peer: "loopback", [Symbol.asyncDispose]: async () => {} }));
});

describe("PySerial", () => {
  it("validates config with the reference keys and defaults", () => {
    const parsed = pySerialConfigSchema.parse({ url: "/dev/ttyUSB0" });
    assert.deepEqual(parsed, { url: "/dev/ttyUSB0", baudrate: 115200, check_present: true, cps: null, disable_hupcl: false });
    assert.equal(pySerialConfigSchema.safeParse({ url: "/dev/ttyUSB0", baud: 9600 }).success, false);
    assert.equal(pySerialConfigSchema.safeParse({ url: "/dev/ttyUSB0", baudrate: "fast" }).success, false);
  });

  it("opens the port at the configured baud rate and with HUPCL as configured", async () => {
    await using pair = await createPtyPair();
    for (const [baudrate, disableHupcl] of [[9600, true], [115200, false]] as const) {
      const driver = new PySerial({ url: pair.a, baudrate, disable_hupcl: disableHupcl });
      await using served = await serve(driver, { client: PySerialClient });
      const port = await served.client.open();
      try {
        const settings = await stty(pair.a);
        assert.match(settings, new RegExp(`speed ${baudrate} baud`));
        assert.match(settings, disableHupcl ? /(^|\s)-hupcl(\s|$)/ : /(^|\s)hupcl(\s|$)/);
      } finally {
        port.destroy();
      }
    }
  });

  it("round-trips 1 MiB through a device that echoes everything", async () => {
    await using pair = await createPtyPair();
    const peer = await openPtyEnd(pair.b);
    peer.pipe(peer);
    await using served = await serve(new PySerial({ url: pair.a }), { client: PySerialClient });
    const port = await served.client.open();
    try {
      const data = randomBytes(1024 * 1024);
      const received = readUntil(port, (all) => all.length >= data.length, 120_000);
      port.write(data);
      const echoed = await received;
      assert.equal(echoed.length, data.length);
      assert.equal(createHash("sha256").update(echoed).digest("hex"), createHash("sha256").update(data).digest("hex"));
    } finally {
      port.destroy();
      peer.destroy();
    }
  });

  it("refuses to start when the device is missing, unless check_present is off", async () => {
    assert.throws(() => new PySerial({ url: "/nonexistent/ttyUSB9" }), (error: JumpstarterError) => {
      return error instanceof ConnectionError && /\/nonexistent\/ttyUSB9 is not present/.test(error.message);
    });
    await using served = await serve(new PySerial({ url: "/nonexistent/ttyUSB9", check_present: false }), { client: PySerialClient });
    await assert.rejects(served.client.open(), (error: JumpstarterError) => {
      assert.equal(error.code, Code.UNAVAILABLE);
      assert.match(error.message, /serial port \/nonexistent\/ttyUSB9 is not present/);
      return true;
    });
  });

  it("rejects unsupported URL schemes", () => {
    assert.throws(() => new PySerial({ url: "rfc2217://host:4000" }), /scheme .* not supported/);
  });

  it("reports a busy port and frees it when the stream is destroyed", async () => {
    await using pair = await createPtyPair();
    await using served = await serve(new PySerial({ url: pair.a }), { client: PySerialClient });
    const first = await served.client.open();
    await assert.rejects(served.client.open(), (error: JumpstarterError) => {
      assert.equal(error.code, Code.UNAVAILABLE);
      assert.match(error.message, /is busy/);
      return true;
    });
    const closed = once(first, "close");
    first.destroy();
    await closed;
    const second = await waitForOpen(served.client);
    second.destroy();
  });

  it("releases the port when the session closes", async () => {
    await using pair = await createPtyPair();
    const served = await serve(new PySerial({ url: pair.a }), { client: PySerialClient });
    const port = await served.client.open();
    port.on("error", () => {});
    await served.close();
    const reopened = await SerialPort.binding.open({ path: pair.a, baudRate: 115200, lock: true });
    await reopened.close();
  });

  it("fails set_dtr / set_rts on a pty with a clear error, connected or not", async () => {
    await using pair = await createPtyPair();
    await using served = await serve(new PySerial({ url: pair.a }), { client: PySerialClient });
    const ioctlError = (line: string) => (error: JumpstarterError) => {
      assert.equal(error.code, Code.INTERNAL);
      assert.match(error.message, new RegExp(`cannot set ${line} on ${pair.a}: the device has no modem control lines`));
      return true;
    };
    await assert.rejects(served.client.setDtr(true), ioctlError("DTR"));
    const port = await served.client.open();
    try {
      await assert.rejects(served.client.setRts(false), ioctlError("RTS"));
    } finally {
      port.destroy();
    }
    await assert.rejects(served.client.call("set_dtr", ["yes"]), { code: Code.INVALID_ARGUMENT });
  });

  it("accepts DTR/RTS on loop:// and echoes there", async () => {
    await using served = await serve(new PySerial({ url: "loop://" }), { client: PySerialClient });
    await served.client.setDtr(false);
    await served.client.setRts(true);
    const port = await served.client.open();
    port.write("hello loop");
    assert.equal((await readUntil(port, (all) => all.length >= 10)).toString(), "hello loop");
    port.destroy();
  });

  it("throttles writes to cps characters per second", async () => {
    await using served = await serve(new PySerial({ url: "loop://", cps: 200 }), { client: PySerialClient });
    const port = await served.client.open();
    const started = performance.now();
    port.write("0123456789abcdefghij");
    assert.equal((await readUntil(port, (all) => all.length >= 20)).toString(), "0123456789abcdefghij");
    // 19 gaps of 5 ms at least; a slow machine only makes this longer.
    assert.ok(performance.now() - started >= 90, `20 characters at 200 cps took ${performance.now() - started} ms`);
    port.destroy();
  });

  it("ends the client stream after its writes drained when the client half-closes", async () => {
    await using pair = await createPtyPair();
    const peer = await openPtyEnd(pair.b);
    await using served = await serve(new PySerial({ url: pair.a }), { client: PySerialClient });
    const port = await served.client.open();
    port.resume();
    const ended = once(port, "end");
    port.end("last words\n");
    await ended;
    assert.equal((await readUntil(peer, (all) => all.includes("\n"))).toString(), "last words\n");
    port.destroy();
    peer.destroy();
  });
});

/** Opens the port, retrying while the exporter is still releasing the previous connection. */
async function waitForOpen(client: PySerialClient) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await client.open();
    } catch (error) {
      if (attempt >= 50 || !/busy/.test((error as Error).message)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
