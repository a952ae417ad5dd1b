// End to end on a real QEMU booting the demo board (scripts/demo-board/build.sh): power, serial console
// through the expect adapter, forwarded guest service, flashing and rebooting into the new image, graceful
// power off, and no QEMU process left behind. Fails (never skips) when QEMU or the kernel package is missing.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { gunzipSync, gzipSync } from "node:zlib";
import { Code } from "@jumpstarter/core";
import { serve } from "@jumpstarter/core/testing";
import type { Served } from "@jumpstarter/core/testing";
import { NetworkClient } from "@jumpstarter/driver-network";
import { PowerClient } from "@jumpstarter/driver-power";
import { PySerialClient } from "@jumpstarter/driver-serial";
import type { SerialConsole } from "@jumpstarter/driver-serial";
import { QemuClient, QemuFlasherClient } from "./client.js";
import type { QemuConfig } from "./config.js";
import { Qemu } from "./qemu.js";
import type { Board } from "./test-support/board.js";
import { cpioNewc, demoBoard, promptOf, qemuPids, waitNoQemu } from "./test-support/board.js";

const bootMs = 180_000;
let board: Board;
let dir = "";

before(async () => {
  board = demoBoard();
  dir = await mkdtemp(join(tmpdir(), "qemu-e2e-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A served Qemu driver booting the demo board, with its children's clients. */
async function boardVm(name: string, extra: QemuConfig = {}) {
  const disk = join(dir, `${name}.img`);
  await copyFile(board.disk, disk);
  const driver = new Qemu({ kernel: board.kernel, initrd: board.initrd, image_path: disk, memory: "256M", hostname: name, ...extra });
  const served: Served<QemuClient> = await serve(driver, { client: QemuClient });
  const root = served.client;
  return {
    driver,
    served,
    root,
    power: root.child("power", PowerClient),
    console: root.child("console", PySerialClient),
    flasher: root.child("flasher", QemuFlasherClient),
    [Symbol.asyncDispose]: async () => {
      await served.close();
      await waitNoQemu(name);
    },
  };
}

let files = 0;
async function imageFile(bytes: Buffer): Promise<string> {
  const path = join(dir, `image-${files++}`);
  await writeFile(path, bytes);
  return path;
}

async function run(console: SerialConsole, prompt: RegExp, command: string): Promise<string> {
  await console.sendline(command);
  const { before } = await console.expect(prompt, { timeoutMs: 60_000 });
  return before.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "").replaceAll("\r", "");
}

describe("demo board on QEMU, end to end", () => {
  const name = `e2e${randomBytes(3).toString("hex")}`;
  const prompt = promptOf(name);
  let vm: Awaited<ReturnType<typeof boardVm>>;

  before(async () => {
    vm = await boardVm(name, { hostfwd: { http: { guestport: 80 } }, shutdown_timeout: 60 });
  });
  after(async () => {
    await vm?.[Symbol.asyncDispose]();
  });

  it("boots to a shell prompt on the serial console and runs a command", async () => {
    await vm.power.on();
    assert.equal(qemuPids(name).length, 1);
    await using console = await vm.console.console({ timeoutMs: bootMs });
    await console.expect(/Jumpstarter demo board 1 \(stock-image\) is up/);
    await console.expect(prompt);
    const output = await run(console, prompt, "echo sum=$((6*7)) host=$(hostname); cat /mnt/data/hello.txt");
    assert.match(output, /\nsum=42 host=e2e[0-9a-f]+\n/);
    assert.match(output, /This file lives on the demo board data disk/);
  });

  it("serves the VM's display on the vnc child (RFB handshake)", async () => {
    const vnc = await vm.root.child("vnc", NetworkClient).connect();
    try {
      const [greeting] = (await once(vnc, "data")) as [Buffer];
      assert.match(greeting.toString("latin1"), /^RFB 003\.00\d\n/);
    } finally {
      vnc.destroy();
    }
  });

  it("reaches the guest's web server through the forwarded port", async () => {
    const web = vm.root.child("http", NetworkClient);
    assert.match(await web.address(), /^tcp:\/\/127\.0\.0\.1:\d+$/);
    await using forward = await web.forwardTcp();
    let body = "";
    for (let attempt = 0; !body.includes("Hello from the Jumpstarter demo board"); attempt++) {
      if (attempt > 600) throw new Error(`the guest web server never answered; last body: ${JSON.stringify(body)}`);
      body = await fetch(`http://127.0.0.1:${forward.port}/`).then((response) => response.text(), (error: unknown) => String(error));
      if (!body.includes("Hello")) await sleep(100);
    }
  });

  it("refuses to flash while the VM is powered on", async () => {
    await assert.rejects(vm.flasher.flash(await imageFile(Buffer.from("x")), { target: "initrd" }), {
      code: Code.FAILED_PRECONDITION,
      message: /cannot flash initrd while the VM is powered on; power it off first/,
    });
  });

  it("powers off gracefully (the guest shuts itself down) and leaves no QEMU process", async () => {
    await vm.power.off();
    assert.equal(vm.driver.machine.lastShutdown, "guest-shutdown");
    assert.deepEqual(qemuPids(name), []);
    await assert.rejects(vm.console.open(), { code: Code.UNAVAILABLE });
  });

  it("flashes a new initramfs, grows disk and memory, and boots into it", async () => {
    const release = "BOARD_VERSION=2\nBOARD_MARKER=flashed-by-e2e\n";
    const image = Buffer.concat([gunzipSync(await readFile(board.initrd)), cpioNewc([{ path: "etc", directory: true }, { path: "etc/board-release", data: release }])]);
    const file = join(dir, "initramfs-v2.cpio.gz");
    await writeFile(file, gzipSync(image));
    await vm.flasher.flash(file, { target: "initrd" });
    await vm.root.setDiskSize("16M");
    await vm.root.setMemorySize("384M");
    await vm.power.on();
    await using console = await vm.console.console({ timeoutMs: bootMs });
    await console.expect(/Jumpstarter demo board 2 \(flashed-by-e2e\) is up/);
    await console.expect(prompt);
    const output = await run(console, prompt, "cat /etc/board-release; cat /sys/class/block/$(basename $(findfs LABEL=JMPDATA))/size; grep MemTotal /proc/meminfo");
    assert.match(output, /BOARD_MARKER=flashed-by-e2e/);
    assert.match(output, /\n32768\n/, "16 MiB in 512-byte sectors");
    const memTotal = Number(/MemTotal:\s+(\d+) kB/.exec(output)?.[1]);
    assert.ok(memTotal > 300_000 && memTotal <= 384 * 1024, `MemTotal ${memTotal} kB`);
    await vm.power.off();
    assert.deepEqual(qemuPids(name), []);
    const dumped = join(dir, "initrd.dump");
    await vm.flasher.dump(dumped, { target: "initrd" });
    assert.deepEqual(await readFile(dumped), image, "the flashed image was stored decompressed");
  });
});

describe("demo board on QEMU, bad input", () => {
  it("a guest that never prints the prompt: expect times out quoting the last console lines", async () => {
    const name = `bad${randomBytes(3).toString("hex")}`;
    await using vm = await boardVm(name, { shutdown_timeout: 0 });
    await vm.flasher.flash(await imageFile(randomBytes(64 * 1024)), { target: "initrd" });
    await vm.power.on();
    await using console = await vm.console.console();
    await console.expect(/Kernel panic/, { timeoutMs: bootMs });
    const error = await console.expect(promptOf(name), { timeoutMs: 3000 }).then(
      () => assert.fail("a panicked guest printed a prompt"),
      (caught: unknown) => caught as Error & { code: number },
    );
    assert.equal(error.code, Code.DEADLINE_EXCEEDED);
    assert.match(error.message, /timed out after 3000 ms waiting for \/root@bad[0-9a-f]+:.*last \d+ line\(s\) of output:\n/s);
    assert.match(error.message, /\| .*(Kernel panic|end Kernel panic)/);
    await vm.power.off();
    assert.equal(vm.driver.machine.lastShutdown, "host-signal");
    assert.deepEqual(qemuPids(name), []);
  });

  it("a corrupt disk image or kernel: power on fails with QEMU's own message", async () => {
    const name = `bad${randomBytes(3).toString("hex")}`;
    await using vm = await boardVm(name);
    const corrupt = Buffer.concat([Buffer.from([0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 3]), randomBytes(4096)]);
    await vm.flasher.flash(await imageFile(corrupt));
    await assert.rejects(vm.power.on(), { code: Code.FAILED_PRECONDITION, message: /QEMU exited \(code 1\) before it was ready:\n.*qemu-system-x86_64: .*rootfs/s });
    await vm.flasher.flash(await imageFile(await readFile(board.disk)));
    await vm.flasher.flash(await imageFile(randomBytes(8192)), { target: "kernel" });
    await assert.rejects(vm.power.on(), { code: Code.FAILED_PRECONDITION, message: /QEMU exited \(code 1\) before it was ready:\n.*kernel/is });
    assert.deepEqual(qemuPids(name), []);
  });

  it("a disk size below the image's: power on refuses to shrink", async () => {
    const name = `bad${randomBytes(3).toString("hex")}`;
    await using vm = await boardVm(name);
    await vm.root.setDiskSize("8M");
    await vm.flasher.flash(await imageFile(Buffer.alloc(12 * 1024 * 1024)));
    await assert.rejects(vm.power.on(), { code: Code.INVALID_ARGUMENT, message: /Shrinking disk is not supported: current 12 MiB, requested 8M/ });
    assert.deepEqual(qemuPids(name), []);
  });
});
