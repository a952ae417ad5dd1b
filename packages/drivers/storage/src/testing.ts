/**
 * @module
 * `@jumpstarter/driver-storage/testing`: contract suites every storage mux and flasher implementation runs
 * through a real exporter session (`serve`), plus helpers for image files.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { it } from "node:test";
import { gzip } from "node:zlib";
import { Code } from "@jumpstarter/core";
import type { Driver, JumpstarterError } from "@jumpstarter/core";
import { serve } from "@jumpstarter/core/testing";
import { FlasherClient, StorageMuxClient, StorageMuxFlasherClient } from "./client.js";
import { FlasherInterface, StorageMuxFlasherInterface, StorageMuxInterface } from "./interface.js";

/** A temporary directory removed on dispose. */
export interface Scratch extends AsyncDisposable {
  readonly directory: string;
  /** Writes `data` (random bytes of `size` when a number) to `name` and returns its path. */
  file(name: string, data: Buffer | number): Promise<string>;
}

/** Creates a scratch directory for image files. */
export async function createScratch(): Promise<Scratch> {
  const directory = await mkdtemp(join(tmpdir(), "jmp-storage-test-"));
  return {
    directory,
    async file(name, data) {
      const path = join(directory, name);
      await writeFile(path, typeof data === "number" ? randomBytes(data) : data);
      return path;
    },
    [Symbol.asyncDispose]: () => rm(directory, { recursive: true, force: true }),
  };
}

/** SHA-256 of a file, hex. */
export async function sha256File(path: string): Promise<string> {
  return createHash("sha256").update(await readFile(path)).digest("hex");
}

/** Options of {@link runStorageMuxContract}. */
export interface StorageMuxContractOptions {
  /** Whether the driver reports the flasher variant (`StorageMuxFlasherClient`). */
  readonly flasher: boolean;
}

/** Registers the storage mux contract (call inside a `describe`). */
export function runStorageMuxContract(makeDriver: () => Driver | Promise<Driver>, options: StorageMuxContractOptions): void {
  const label = options.flasher ? StorageMuxFlasherInterface.client : StorageMuxInterface.client;

  it(`reports ${label}`, async () => {
    const driver = await makeDriver();
    await driver.close();
    assert.equal(driver.client(), label);
  });

  it("switches host, dut and off, each answering null", async () => {
    await using served = await serve(await makeDriver());
    for (const method of ["host", "dut", "off", "host"]) assert.equal(await served.client.call(method), null);
  });

  it("writes a local image on the host side and reads back the same bytes", async () => {
    await using scratch = await createScratch();
    await using served = await serve(await makeDriver(), { client: StorageMuxClient });
    const image = await scratch.file("image.bin", 3 * 1024 * 1024 + 17);
    await served.client.host();
    await served.client.writeFile(image);
    const back = join(scratch.directory, "back.bin");
    await served.client.readFile(back);
    assert.equal(await sha256File(back), await sha256File(image));
  });

  it("decompresses a gzip image", async () => {
    await using scratch = await createScratch();
    await using served = await serve(await makeDriver(), { client: StorageMuxClient });
    const raw = randomBytes(512 * 1024);
    const image = await scratch.file("image.bin.gz", await promisify(gzip)(raw));
    await served.client.host();
    await served.client.writeFile(image);
    const back = join(scratch.directory, "back.bin");
    await served.client.readFile(back);
    assert.deepEqual(await readFile(back), raw);
  });

  if (options.flasher) {
    it("flashes (host, write, dut) and dumps (host, read) through StorageMuxFlasherClient", async () => {
      await using scratch = await createScratch();
      await using served = await serve(await makeDriver(), { client: StorageMuxFlasherClient });
      const image = await scratch.file("image.bin", 1024 * 1024);
      await served.client.flash(image);
      const back = join(scratch.directory, "back.bin");
      await served.client.dump(back);
      assert.equal(await sha256File(back), await sha256File(image));
      await assert.rejects(served.client.flash(image, { target: "boot" }), /single storage; target "boot" cannot be chosen/);
    });
  }
}

/** Options of {@link runFlasherContract}. */
export interface FlasherContractOptions {
  /** Two target names the driver accepts besides the default. */
  readonly targets: readonly [string, string];
  /** A target name the driver refuses. */
  readonly unknownTarget: string;
}

/** Registers the flasher contract (call inside a `describe`). */
export function runFlasherContract(makeDriver: () => Driver | Promise<Driver>, options: FlasherContractOptions): void {
  it(`reports ${FlasherInterface.client}`, async () => {
    const driver = await makeDriver();
    await driver.close();
    assert.equal(driver.client(), FlasherInterface.client);
  });

  it("flashes the default target and dumps the same bytes back", async () => {
    await using scratch = await createScratch();
    await using served = await serve(await makeDriver(), { client: FlasherClient });
    const image = await scratch.file("image.bin", 2 * 1024 * 1024 + 3);
    await served.client.flash(image);
    const back = join(scratch.directory, "back.bin");
    await served.client.dump(back);
    assert.equal(await sha256File(back), await sha256File(image));
  });

  it("keeps named targets apart", async () => {
    await using scratch = await createScratch();
    await using served = await serve(await makeDriver(), { client: FlasherClient });
    const [first, second] = options.targets;
    const images = [await scratch.file("one.bin", 100_000), await scratch.file("two.bin", 200_000)];
    await served.client.flash(images[0]!, { target: first });
    await served.client.flash(images[1]!, { target: second });
    for (const [index, target] of [first, second].entries()) {
      const back = join(scratch.directory, `back-${index}.bin`);
      await served.client.dump(back, { target });
      assert.equal(await sha256File(back), await sha256File(images[index]!));
    }
  });

  it("refuses an unknown target with INVALID_ARGUMENT", async () => {
    await using scratch = await createScratch();
    await using served = await serve(await makeDriver(), { client: FlasherClient });
    const image = await scratch.file("image.bin", 1000);
    await assert.rejects(served.client.flash(image, { target: options.unknownTarget }), (error: JumpstarterError) => {
      assert.equal(error.code, Code.INVALID_ARGUMENT);
      return true;
    });
  });
}
