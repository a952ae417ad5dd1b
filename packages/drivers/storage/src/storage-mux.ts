/**
 * @module
 * Storage mux drivers: `FileStorageMux` (a file or block device the exporter sees while the mux is on the
 * host side) and the reference's mocks, `MockStorageMux` / `MockStorageMuxFlasher` (a temporary file,
 * switching is a no-op).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { z } from "zod";
import { Driver, InvalidArgumentError, callSignal, exportMethod } from "@jumpstarter/core";
import type { DriverMethods, DriverOptions } from "@jumpstarter/core";
import { StorageMuxFlasherInterface, StorageMuxInterface } from "./interface.js";
import { readImage, writeImage } from "./transfer.js";

/** Which side a storage mux connects the storage to. */
export type MuxSide = "host" | "dut" | "off";

/**
 * Shared behaviour of storage muxes backed by a path on the exporter. Writes decompress gzip/zstd images
 * detected by their magic bytes, as the reference storage muxes do.
 */
export abstract class PathStorageMux extends Driver implements DriverMethods<typeof StorageMuxInterface> {
  /** The file or block device holding the storage. */
  readonly path: string;
  /** Refuse writes while the storage is on the DUT side (real muxes); mocks accept everything. */
  readonly #guarded: boolean;
  #side: MuxSide = "off";
  #transfers = 0;

  protected constructor(path: string, guarded: boolean, options: DriverOptions) {
    super(options);
    this.path = path;
    this.#guarded = guarded;
  }

  /** The side the storage is connected to. */
  get side(): MuxSide {
    return this.#side;
  }

  @exportMethod
  async host(): Promise<null> {
    this.#side = "host";
    return null;
  }

  @exportMethod
  async dut(): Promise<null> {
    this.#switchAway("dut");
    return null;
  }

  @exportMethod
  async off(): Promise<null> {
    this.#switchAway("off");
    return null;
  }

  /**
   * Writes the resource to the storage. Refused with INVALID_ARGUMENT while the DUT owns the storage: the
   * call is not acceptable in the current state, and FAILED_PRECONDITION would reach Python clients as
   * "exporter not ready", which sends users looking in the wrong place.
   */
  @exportMethod
  async write(source: unknown): Promise<null> {
    if (this.#guarded && this.#side === "dut") {
      throw new InvalidArgumentError("the storage is connected to the DUT; switch it to the host (host()) before writing");
    }
    await this.#transfer(async (signal) => {
      await writeImage(await this.resource(source, { signal }), this.path, { detectCompression: true, signal, label: "the storage" });
    });
    return null;
  }

  /** Reads the whole storage into the resource. */
  @exportMethod
  async read(target: unknown): Promise<null> {
    await this.#transfer(async (signal) => {
      await readImage(this.path, await this.resource(target, { signal }), { signal, label: "the storage" });
    });
    return null;
  }

  #switchAway(side: MuxSide): void {
    if (this.#guarded && this.#transfers > 0) {
      throw new InvalidArgumentError(`cannot switch the storage to ${side === "dut" ? "the DUT" : "off"} while a transfer is running`);
    }
    this.#side = side;
  }

  async #transfer(run: (signal: AbortSignal) => Promise<void>): Promise<void> {
    this.#transfers++;
    try {
      await run(callSignal());
    } finally {
      this.#transfers--;
    }
  }
}

/** Config of {@link FileStorageMux}. */
export const fileStorageMuxConfigSchema = z
  .object({
    /** The file or block device (e.g. `/dev/disk/by-id/usb-…`) the mux exposes on the host side. */
    path: z.string().min(1),
  })
  .strict();

/** Config of {@link FileStorageMux} as written in YAML. */
export type FileStorageMuxConfig = z.input<typeof fileStorageMuxConfigSchema>;

/** A storage mux over a file or block device on the exporter; writes are refused while on the DUT side. */
export class FileStorageMux extends PathStorageMux {
  static readonly configSchema = fileStorageMuxConfigSchema;

  constructor(config: FileStorageMuxConfig, options: DriverOptions = {}) {
    super(fileStorageMuxConfigSchema.parse(config).path, true, options);
  }

  client(): string {
    return StorageMuxInterface.client;
  }
}

/** {@link FileStorageMux} reported with the client that adds `flash` (host → write → dut) and `dump`. */
export class FileStorageMuxFlasher extends FileStorageMux {
  override client(): string {
    return StorageMuxFlasherInterface.client;
  }
}

/** Mocks take no configuration. */
export const mockConfigSchema = z.object({}).strict();

/** The reference `MockStorageMux`: a temporary file; `host`/`dut`/`off` do nothing. */
export class MockStorageMux extends PathStorageMux {
  static readonly configSchema = mockConfigSchema;

  constructor(config: Record<string, never> = {}, options: DriverOptions = {}) {
    mockConfigSchema.parse(config);
    super(createTemporaryStorage(), false, options);
  }

  client(): string {
    return StorageMuxInterface.client;
  }

  /** Removes the temporary storage. */
  override async close(): Promise<void> {
    try {
      await super.close();
    } finally {
      rmSync(dirname(this.path), { recursive: true, force: true });
    }
  }
}

/** The reference `MockStorageMuxFlasher`: {@link MockStorageMux} with the flasher client. */
export class MockStorageMuxFlasher extends MockStorageMux {
  override client(): string {
    return StorageMuxFlasherInterface.client;
  }
}

function createTemporaryStorage(): string {
  const path = join(mkdtempSync(join(tmpdir(), "jmp-mock-storage-")), "storage.img");
  writeFileSync(path, "");
  return path;
}
