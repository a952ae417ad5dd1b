import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { readFile, stat } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, it } from "node:test";
import { gunzip, gzip, zstdCompress } from "node:zlib";
import { Code } from "@jumpstarter/core";
import type { Driver, JumpstarterError } from "@jumpstarter/core";
import { serve } from "@jumpstarter/core/testing";
import { FlasherClient, StorageMuxClient, StorageMuxFlasherClient } from "./client.js";
import { FileFlasher, FileStorageMux, FileStorageMuxFlasher, MockFlasher, MockStorageMux, MockStorageMuxFlasher } from "./driver.js";
import { createScratch, runFlasherContract, runStorageMuxContract, sha256File } from "./testing.js";

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

/** Builds a driver over files in a fresh scratch directory that is removed when the driver closes. */
async function inScratch<D extends Driver>(make: (directory: string) => D): Promise<D> {
  const scratch = await createScratch();
  const driver = make(scratch.directory);
  const close = driver.close.bind(driver);
  driver.close = async () => {
    try {
      await close();
    } finally {
      await scratch[Symbol.asyncDispose]();
    }
  };
  return driver;
}

describe("MockStorageMux contract", () => runStorageMuxContract(() => new MockStorageMux(), { flasher: false }));
describe("MockStorageMuxFlasher contract", () => runStorageMuxContract(() => new MockStorageMuxFlasher(), { flasher: true }));
describe("FileStorageMux contract", () => {
  runStorageMuxContract(() => inScratch((directory) => new FileStorageMux({ path: join(directory, "sd.img") })), { flasher: false });
});
describe("FileStorageMuxFlasher contract", () => {
  runStorageMuxContract(() => inScratch((directory) => new FileStorageMuxFlasher({ path: join(directory, "sd.img") })), { flasher: true });
});
describe("MockFlasher contract", () => runFlasherContract(() => new MockFlasher(), { targets: ["boot", "rootfs"], unknownTarget: "../escape" }));
describe("FileFlasher contract", () => {
  runFlasherContract(
    () =>
      inScratch(
        (directory) => new FileFlasher({ targets: { disk: join(directory, "disk.img"), boot: join(directory, "boot.img"), rootfs: join(directory, "rootfs.img") } }),
      ),
    { targets: ["boot", "rootfs"], unknownTarget: "swap" },
  );
});

/** A local HTTP server handing out one file (the exporter fetches presigned URLs itself). */
async function fileServer(path: string) {
  const server = createServer((request, response) => {
    if (request.url !== "/image") {
      response.writeHead(404).end("not found");
      return;
    }
    response.writeHead(200, { "content-type": "application/octet-stream" });
    createReadStream(path).pipe(response);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: (name: string) => `http://127.0.0.1:${port}/${name}`,
    [Symbol.asyncDispose]: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}

describe("FileStorageMuxFlasher", () => {
  it("flashes a few MiB and a gzip image; the device file has the image's sha256", async () => {
    await using scratch = await createScratch();
    const device = join(scratch.directory, "sd.img");
    await using served = await serve(new FileStorageMuxFlasher({ path: device }), { client: StorageMuxFlasherClient });
    const image = await scratch.file("image.bin", 5 * 1024 * 1024);
    await served.client.flash(image);
    assert.equal(await sha256File(device), await sha256File(image));
    const raw = randomBytes(3 * 1024 * 1024);
    await served.client.flash(await scratch.file("image.bin.gz", await promisify(gzip)(raw)));
    assert.equal(await sha256File(device), sha256(raw));
    assert.equal((await stat(device)).size, raw.length, "a shorter image replaces the whole file");
  });

  it("flashes a zstd image", async () => {
    await using scratch = await createScratch();
    const device = join(scratch.directory, "sd.img");
    await using served = await serve(new FileStorageMuxFlasher({ path: device }), { client: StorageMuxFlasherClient });
    const raw = randomBytes(700_000);
    await served.client.flash(await scratch.file("image.bin.zst", await promisify(zstdCompress)(raw)));
    assert.equal(await sha256File(device), sha256(raw));
  });

  it("flashes from an http URL the exporter downloads, gzip included", async () => {
    await using scratch = await createScratch();
    const device = join(scratch.directory, "sd.img");
    const raw = randomBytes(2 * 1024 * 1024);
    await using http = await fileServer(await scratch.file("served.gz", await promisify(gzip)(raw)));
    await using served = await serve(new FileStorageMuxFlasher({ path: device }), { client: StorageMuxFlasherClient });
    await served.client.flash(http.url("image"));
    assert.equal(await sha256File(device), sha256(raw));
    await assert.rejects(served.client.flash(http.url("missing")), (error: JumpstarterError) => {
      assert.equal(error.code, Code.UNAVAILABLE);
      assert.match(error.message, /HTTP 404/);
      return true;
    });
  });

  it("refuses writes while the DUT has the storage, with INVALID_ARGUMENT", async () => {
    await using scratch = await createScratch();
    const device = join(scratch.directory, "sd.img");
    const driver = new FileStorageMux({ path: device });
    await using served = await serve(driver, { client: StorageMuxClient });
    const image = await scratch.file("image.bin", 4096);
    await served.client.dut();
    await assert.rejects(served.client.writeFile(image), (error: JumpstarterError) => {
      assert.equal(error.code, Code.INVALID_ARGUMENT);
      assert.match(error.message, /the storage is connected to the DUT; switch it to the host \(host\(\)\) before writing/);
      return true;
    });
    await served.client.off();
    await served.client.writeFile(image);
    assert.equal(driver.side, "off");
    await served.client.host();
    await served.client.writeFile(image);
    assert.equal(await sha256File(device), await sha256File(image));
  });

  it("reports missing local files and missing device directories clearly", async () => {
    await using scratch = await createScratch();
    const image = await scratch.file("image.bin", 1000);
    await using served = await serve(new FileStorageMuxFlasher({ path: join(scratch.directory, "no-such-dir", "sd.img") }), {
      client: StorageMuxFlasherClient,
    });
    await assert.rejects(served.client.flash(join(scratch.directory, "absent.img")), /cannot read image \S+absent\.img: no such file or directory/);
    await assert.rejects(served.client.flash(image), (error: JumpstarterError) => {
      assert.equal(error.code, Code.INTERNAL);
      assert.match(error.message, /cannot write the storage \(\S+no-such-dir\/sd\.img\): no such file or directory/);
      return true;
    });
    await assert.rejects(served.client.dump(join(scratch.directory, "no-such-dir", "out.img")), /cannot write dump to \S+: no such file or directory/);
  });

  it("refuses xz images it cannot decompress", async () => {
    await using scratch = await createScratch();
    await using served = await serve(new FileStorageMuxFlasher({ path: join(scratch.directory, "sd.img") }), { client: StorageMuxFlasherClient });
    const fakeXz = Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), randomBytes(100)]);
    await assert.rejects(served.client.flash(await scratch.file("image.xz", fakeXz)), /xz-compressed/);
  });

  it("stops cleanly when the client aborts a flash, then flashes again", async () => {
    await using scratch = await createScratch();
    const device = join(scratch.directory, "sd.img");
    await using served = await serve(new FileStorageMuxFlasher({ path: device }), { client: StorageMuxFlasherClient });
    const image = await scratch.file("big.bin", 64 * 1024 * 1024);
    const controller = new AbortController();
    await assert.rejects(
      served.client.flash(image, {
        signal: controller.signal,
        onProgress: ({ bytes }) => {
          if (bytes >= 4 * 1024 * 1024) controller.abort();
        },
      }),
    );
    const small = await scratch.file("small.bin", 10_000);
    await served.client.flash(small);
    assert.equal(await sha256File(device), await sha256File(small));
  });
});

describe("interrupted uploads", () => {
  /** A source that sends `bytes` and then fails, like a client that dies mid-flash. */
  const failingSource = (bytes: number) => {
    let sent = 0;
    return new Readable({
      read() {
        if (sent >= bytes) {
          this.destroy(new Error("client went away"));
          return;
        }
        sent += 256 * 1024;
        this.push(randomBytes(256 * 1024));
      },
    });
  };

  for (const [name, make, method, extra] of [
    ["FileStorageMux.write", (directory: string) => new FileStorageMux({ path: join(directory, "sd.img") }), "write", []],
    ["MockFlasher.flash", () => new MockFlasher(), "flash", [null]],
  ] as const) {
    it(`${name} fails instead of reporting a partial image as written`, async () => {
      await using scratch = await createScratch();
      await using served = await serve(make(scratch.directory));
      await assert.rejects(
        served.client.withResource({ source: failingSource(2 * 1024 * 1024) }, (handle) => served.client.call(method, [handle, ...extra])),
        (error: JumpstarterError) => {
          assert.doesNotMatch(error.message, /client went away/, "the driver call itself must fail");
          return true;
        },
      );
    });
  }
});

describe("FileFlasher", () => {
  it("validates its config", () => {
    assert.throws(() => new FileFlasher({ targets: {} }), /at least one target/);
    assert.throws(() => new FileFlasher({ targets: { a: "/tmp/a" }, default_target: "b" }), /default_target must be one of the targets/);
    assert.equal(new FileFlasher({ targets: { a: "/tmp/a", b: "/tmp/b" } }).defaultTarget, "a");
    assert.equal(new FileFlasher({ targets: { a: "/tmp/a", b: "/tmp/b" }, default_target: "b" }).defaultTarget, "b");
  });

  it("writes the default and named targets, decompressing gzip, and names unknown targets", async () => {
    await using scratch = await createScratch();
    const targets = { emmc: join(scratch.directory, "emmc.img"), boot: join(scratch.directory, "boot.img") };
    await using served = await serve(new FileFlasher({ targets, default_target: "emmc" }), { client: FlasherClient });
    const raw = randomBytes(1024 * 1024);
    await served.client.flash(await scratch.file("emmc.img.gz", await promisify(gzip)(raw)));
    assert.equal(await sha256File(targets.emmc), sha256(raw));
    const boot = await scratch.file("boot.bin", 123_456);
    await served.client.flash(boot, { target: "boot" });
    assert.deepEqual(await readFile(targets.boot), await readFile(boot));
    await assert.rejects(served.client.flash(boot, { target: "swap" }), /unknown target "swap"; this flasher has: emmc, boot/);
  });

  it("dumps a target that was never written as a clear error", async () => {
    await using scratch = await createScratch();
    await using served = await serve(new FileFlasher({ targets: { disk: join(scratch.directory, "missing", "disk.img") } }), { client: FlasherClient });
    await assert.rejects(served.client.dump(join(scratch.directory, "out.img")), (error: JumpstarterError) => {
      assert.equal(error.code, Code.INTERNAL);
      assert.match(error.message, /cannot read target "disk" \(\S+disk\.img\): no such file or directory/);
      return true;
    });
    await assert.rejects(stat(join(scratch.directory, "out.img")), { code: "ENOENT" }, "no partial dump is left behind");
  });

  it("compresses a dump on the exporter when asked", async () => {
    await using scratch = await createScratch();
    const disk = join(scratch.directory, "disk.img");
    await using served = await serve(new FileFlasher({ targets: { disk } }), { client: FlasherClient });
    const image = await scratch.file("image.bin", 300_000);
    await served.client.flash(image);
    const back = join(scratch.directory, "back.img.gz");
    await served.client.dump(back, { compression: "gzip" });
    const compressed = await readFile(back);
    assert.deepEqual(compressed.subarray(0, 2), Buffer.from([0x1f, 0x8b]));
    assert.deepEqual(await promisify(gunzip)(compressed), await readFile(image));
  });
});
