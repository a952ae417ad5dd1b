import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { existsSync, readdirSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gzipSync, zstdCompressSync } from "node:zlib";
import { Code } from "@jumpstarter/core";
import { serve } from "@jumpstarter/core/testing";
import { QemuClient, QemuFlasherClient } from "./client.js";
import { Qemu } from "./qemu.js";

let dir = "";
let stock: Buffer;
let stockPath = "";

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "qemu-flasher-test-"));
  stock = randomBytes(256 * 1024);
  stockPath = join(dir, "stock.img");
  await writeFile(stockPath, stock);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function served() {
  const driver = new Qemu({ image_path: stockPath, hostname: "flasher" });
  const handle = await serve(driver, { client: QemuClient });
  return { driver, handle, flasher: handle.client.child("flasher", QemuFlasherClient), [Symbol.asyncDispose]: () => handle.close() };
}

function tool(command: string, input: Buffer): Buffer {
  const result = spawnSync(command, ["-c"], { input, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${command} is needed by this test (apt-get install xz-utils bzip2): ${result.error?.message ?? result.stderr}`);
  return result.stdout;
}

let files = 0;
async function imageFile(bytes: Buffer): Promise<string> {
  const path = join(dir, `image-${files++}`);
  await writeFile(path, bytes);
  return path;
}

async function dumped(flasher: QemuFlasherClient, target?: string): Promise<Buffer> {
  const path = join(dir, `dump-${Math.random().toString(16).slice(2)}`);
  await flasher.dump(path, target ? { target } : {});
  return readFile(path);
}

describe("QemuFlasher", () => {
  it("dumps the configured image until something is flashed, then the flashed one", async () => {
    await using board = await served();
    assert.deepEqual(await dumped(board.flasher), stock);
    const image = randomBytes(300 * 1024 + 17);
    const path = join(dir, "raw.img");
    await writeFile(path, image);
    const progress: number[] = [];
    await board.flasher.flash(path, { onProgress: ({ bytes, total }) => progress.push(bytes, total ?? -1) });
    assert.deepEqual(await dumped(board.flasher), image);
    assert.deepEqual(progress.slice(-2), [image.length, image.length]);
    assert.deepEqual(await readFile(stockPath), stock, "the configured image is never written");
    assert.deepEqual(readdirSync(board.driver.machine.workDir).filter((name) => name.endsWith(".partial")), []);
  });

  it("decompresses gzip, zstd, xz and bzip2 images, declared or detected", async () => {
    await using board = await served();
    const image = Buffer.concat([randomBytes(64 * 1024), Buffer.alloc(512 * 1024, 7)]);
    // undefined: the client sniffs and declares what the exporter's codec handles; null: sent as is.
    const variants: Array<[string, Buffer, "gzip" | null | undefined]> = [
      ["gzip detected by the exporter", gzipSync(image), null],
      ["gzip declared", gzipSync(image), "gzip"],
      ["gzip sniffed by the client", gzipSync(image), undefined],
      ["zstd sniffed by the client", zstdCompressSync(image), undefined],
      ["xz decompressed by the exporter's xz", tool("xz", image), undefined],
      ["bzip2 decompressed by the exporter's bzip2", tool("bzip2", image), undefined],
    ];
    for (const [name, bytes, compression] of variants) {
      await board.flasher.flash(await imageFile(bytes), { target: "initrd", ...(compression !== undefined ? { compression } : {}) });
      assert.deepEqual(await dumped(board.flasher, "initrd"), image, name);
      await board.flasher.flash(await imageFile(Buffer.from("reset")), { target: "initrd" });
    }
  });

  it("keeps the previous image when a compressed image is corrupt", async () => {
    await using board = await served();
    const good = randomBytes(4096);
    await board.flasher.flash(await imageFile(good), { target: "kernel" });
    const corrupt = gzipSync(randomBytes(100 * 1024)).subarray(0, 20 * 1024);
    corrupt.fill(0x55, 100, 4000);
    await assert.rejects(board.flasher.flash(await imageFile(corrupt), { target: "kernel" }));
    assert.deepEqual(await dumped(board.flasher, "kernel"), good);
    assert.deepEqual(readdirSync(board.driver.machine.workDir).filter((name) => name.endsWith(".partial")), []);
  });

  it("flashes an http URL the exporter downloads", async () => {
    const image = randomBytes(128 * 1024);
    const server = createServer((request, response) => {
      if (request.url === "/image.gz") response.end(gzipSync(image));
      else response.writeHead(404).end();
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    try {
      await using board = await served();
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await board.flasher.flash(`${base}/image.gz`);
      assert.deepEqual(await dumped(board.flasher), image);
      await assert.rejects(board.flasher.flash(`${base}/missing`), /HTTP 404/);
    } finally {
      server.close();
    }
  });

  it("refuses unknown partitions, OCI references and dumps of images that do not exist", async () => {
    await using board = await served();
    await assert.rejects(board.flasher.flash(await imageFile(Buffer.from("x")), { target: "swap" }), {
      code: Code.INVALID_ARGUMENT,
      message: /invalid partition name: swap/,
    });
    await assert.rejects(board.flasher.flash("oci://quay.io/example/image:latest"), { code: Code.UNIMPLEMENTED, message: /OCI images .* not supported/ });
    await assert.rejects(async () => {
      for await (const _ of board.flasher.flashOci("docker://x")) void _;
    }, { code: Code.INVALID_ARGUMENT, message: /must start with oci:\/\// });
    await assert.rejects(dumped(board.flasher, "bios"), { code: Code.FAILED_PRECONDITION, message: /nothing to dump: the bios image does not exist/ });
    assert.equal(existsSync(join(board.driver.machine.workDir, "swap")), false);
  });
});
