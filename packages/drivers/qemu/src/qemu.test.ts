import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Code, DriverClient } from "@jumpstarter/core";
import { serve } from "@jumpstarter/core/testing";
import { NetworkClient } from "@jumpstarter/driver-network";
import { PowerClient } from "@jumpstarter/driver-power";
import { PySerialClient } from "@jumpstarter/driver-serial";
import { QemuClient, QemuFlasherClient } from "./client.js";
import { QemuConfigSchema } from "./config.js";
import { Qemu } from "./qemu.js";

let dir = "";
let disk = "";

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "qemu-driver-test-"));
  disk = join(dir, "disk.img");
  await writeFile(disk, Buffer.alloc(8 * 1024 * 1024));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("Qemu config", () => {
  it("accepts the reference keys and the seed's image_path / memory / cpu_cores", () => {
    const reference = {
      arch: "x86_64",
      cpu: null,
      smp: 4,
      mem: "1G",
      disk_size: "20G",
      hostname: "board",
      username: "me",
      password: "secret",
      default_partitions: { root: "/srv/root.img", bios: "/srv/bios.bin" },
      virtio_transport: "pci",
      hostfwd: { ssh: { protocol: "tcp", hostaddr: "127.0.0.1", hostport: 2222, guestport: 22 } },
      fls_version: null,
      fls_allow_custom_binaries: false,
      fls_custom_binary_url: null,
      flash_timeout: 600,
    };
    assert.equal(QemuConfigSchema.safeParse(reference).success, true);
    assert.equal(QemuConfigSchema.safeParse({ image_path: "/srv/disk.qcow2", memory: 2048, cpu_cores: 2 }).success, true);
  });

  it("rejects unknown keys, bad sizes, both spellings of one setting and reserved child names", () => {
    const bad = [{ memroy: "1G" }, { mem: "lots" }, { mem: "1G", memory: "2G" }, { smp: 2, cpu_cores: 2 }, { hostname: "bad name" }];
    bad.push({ image_path: "/a", default_partitions: { root: "/b" } } as never, { hostfwd: { power: { guestport: 22 } } } as never);
    for (const config of bad) assert.equal(QemuConfigSchema.safeParse(config).success, false, JSON.stringify(config));
  });
});

describe("Qemu driver (no VM started)", () => {
  it("reports the reference labels and its children", async () => {
    await using served = await serve(new Qemu({ image_path: disk, hostfwd: { web: { guestport: 80 } } }), { client: QemuClient });
    const root = served.client;
    assert.equal(root.clientLabel, "jumpstarter_driver_qemu.client.QemuClient");
    assert.deepEqual(root.childNames, ["power", "flasher", "console", "vnc", "web"]);
    assert.ok(root.child("power") instanceof PowerClient);
    assert.equal(root.child("flasher").clientLabel, "jumpstarter_driver_qemu.client.QemuFlasherClient");
    assert.ok(root.child("flasher") instanceof QemuFlasherClient);
    assert.equal(root.child("console").clientLabel, "jumpstarter_driver_pyserial.client.PySerialClient");
    assert.equal(root.child("vnc").clientLabel, "jumpstarter_driver_network.client.NetworkClient");
    assert.ok(root.child("web") instanceof NetworkClient);
  });

  it("answers get_hostname / get_username / get_password", async () => {
    await using served = await serve(new Qemu({ hostname: "vm1", username: "ada", password: "pw" }), { client: QemuClient });
    assert.deepEqual([await served.client.hostname(), await served.client.username(), await served.client.password()], ["vm1", "ada", "pw"]);
    assert.deepEqual(await served.client.call("get_hostname"), "vm1");
  });

  it("validates sizes and refuses to shrink the root disk", async () => {
    await using served = await serve(new Qemu({ image_path: disk }), { client: QemuClient });
    await served.client.setMemorySize("1G");
    await assert.rejects(served.client.setMemorySize("a lot"), { code: Code.INVALID_ARGUMENT, message: /Invalid size: 'a lot'/ });
    await assert.rejects(served.client.call("set_memory_size", [512]), { code: Code.INVALID_ARGUMENT });
    await assert.rejects(served.client.setDiskSize("4M"), {
      code: Code.INVALID_ARGUMENT,
      message: /Shrinking disk is not supported: current 8 MiB, requested 4M/,
    });
    await served.client.setDiskSize("16M");
    assert.equal((await stat(disk)).size, 8 * 1024 * 1024, "the disk grows at power on, not before");
  });

  it("has no power readings: read is unary and unimplemented, as in the reference", async () => {
    await using served = await serve(new Qemu({}), { client: QemuClient });
    const power = served.client.child("power", PowerClient);
    await assert.rejects(power.call("read"), { code: Code.UNIMPLEMENTED });
    await assert.rejects(async () => {
      for await (const _ of power.read()) void _;
    }, { code: Code.NOT_FOUND });
  });

  it("refuses the console and forwarded ports while powered off", async () => {
    await using served = await serve(new Qemu({ hostfwd: { web: { guestport: 80 } } }), { client: QemuClient });
    await assert.rejects(served.client.child("console", PySerialClient).open(), { code: Code.UNAVAILABLE, message: /VM is powered off/ });
    await assert.rejects(served.client.child("web", NetworkClient).address(), { code: Code.UNAVAILABLE, message: /chosen at the first power on/ });
    await served.client.child("console", PySerialClient).setDtr(true);
  });

  it("explains a missing QEMU binary", async () => {
    await using served = await serve(new Qemu({ image_path: disk }), { client: QemuClient });
    const path = process.env["PATH"];
    process.env["PATH"] = dir;
    try {
      await assert.rejects(served.client.child("power", PowerClient).on(), {
        code: Code.FAILED_PRECONDITION,
        message: /qemu-system-x86_64 was not found on the exporter's PATH; install QEMU \(Debian package qemu-system-x86\)/,
      });
    } finally {
      process.env["PATH"] = path;
    }
  });

  it("explains missing images and an empty machine", async () => {
    await using missing = await serve(new Qemu({ kernel: join(dir, "no-such-kernel"), image_path: disk }), { client: QemuClient });
    await assert.rejects(missing.client.child("power", PowerClient).on(), {
      code: Code.FAILED_PRECONDITION,
      message: /the kernel image .*no-such-kernel does not exist; build or flash it first/,
    });
    await using empty = await serve(new Qemu({}), { client: QemuClient });
    await assert.rejects(empty.client.child("power", PowerClient).on(), { code: Code.FAILED_PRECONDITION, message: /nothing to boot/ });
  });

  it("removes its working directory when closed", async () => {
    const driver = new Qemu({});
    assert.equal(existsSync(driver.machine.workDir), true);
    await driver.close();
    assert.equal(existsSync(driver.machine.workDir), false);
  });

  it("is found through the client registry by label", async () => {
    await using served = await serve(new Qemu({}));
    assert.ok(served.client instanceof QemuClient);
    assert.ok(!(served.client.child("power") instanceof QemuClient) && served.client.child("power") instanceof DriverClient);
  });
});
