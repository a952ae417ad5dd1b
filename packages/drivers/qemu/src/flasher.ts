/**
 * @module
 * `QemuFlasher`: writes images of the VM (root disk, firmware, kernel, initrd) from resources, decompressing
 * them on the way, and dumps them back. Flashing is refused while the VM runs: QEMU has the files open.
 */
import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { Driver, exportMethod, InvalidArgumentError, NotImplementedError } from "@jumpstarter/core";
import type { DriverMethods, DriverOptions } from "@jumpstarter/core";
import { autoDecompress } from "./decompress.js";
import { preconditionError } from "./disk.js";
import type { FlashOciOutput } from "./interface.js";
import { QemuFlasherInterface } from "./interface.js";
import type { Machine } from "./machine.js";
import { formatSize } from "./size.js";

const progressStep = 64 * 1024 * 1024;

/** Flasher child of `Qemu` (client label `jumpstarter_driver_qemu.client.QemuFlasherClient`). */
export class QemuFlasher extends Driver implements DriverMethods<typeof QemuFlasherInterface> {
  readonly #machine: Machine;

  constructor(machine: Machine, options: DriverOptions = {}) {
    super(options);
    this.#machine = machine;
  }

  override client(): string {
    return QemuFlasherInterface.client;
  }

  /**
   * Writes `source` (a resource handle, or an `oci://` reference) to `partition` (default `root`). gzip, zstd,
   * xz and bzip2 images are decompressed. The new image replaces the old one only once it is complete.
   */
  @exportMethod
  async flash(source: unknown, partition: string | null = null): Promise<null> {
    if (typeof source === "string" && source.startsWith("oci://")) {
      for await (const _ of this.flash_oci(source, partition)) void _;
      return null;
    }
    const path = this.#machine.partitionPath(partition);
    const name = partition ?? "root";
    await this.#machine.exclusive(`flashing ${name}`, async () => {
      if (this.#machine.running) {
        throw preconditionError(`cannot flash ${name} while the VM is powered on; power it off first`);
      }
      const partial = `${path}.partial`;
      const input = await this.resource(source);
      const logger = this.logger;
      let written = 0;
      let reported = 0;
      const progress = async function* (chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
        for await (const chunk of chunks) {
          written += chunk.length;
          if (written - reported >= progressStep) {
            reported = written;
            logger.info(`flashing ${name}: ${formatSize(written)} written`);
          }
          yield chunk;
        }
      };
      try {
        await pipeline(
          input,
          (chunks: AsyncIterable<Buffer>) =>
            autoDecompress(chunks, (format) => {
              if (format) this.logger.info(`flashing ${name}: decompressing ${format} image`);
            }),
          progress,
          createWriteStream(partial),
        );
        await rename(partial, path);
      } catch (error) {
        await rm(partial, { force: true });
        throw error;
      } finally {
        input.destroy();
      }
      this.logger.info(`flashed ${name}: ${formatSize(written)}`);
    });
    return null;
  }

  /** OCI images are pulled with `fls` by the reference; this exporter does not ship it. */
  @exportMethod
  async *flash_oci(
    oci_url: string,
    partition: string | null = null,
    _oci_username: string | null = null,
    _oci_password: string | null = null,
  ): AsyncGenerator<FlashOciOutput> {
    if (typeof oci_url !== "string" || !oci_url.startsWith("oci://")) {
      throw new InvalidArgumentError(`OCI URL must start with oci://, got: ${String(oci_url)}`);
    }
    this.#machine.partitionPath(partition);
    throw new NotImplementedError(
      `flashing OCI images (${oci_url}) is not supported by this exporter: it has no fls to pull them; ` +
        "pull the image elsewhere and flash the disk file instead",
    );
  }

  /** Streams image `partition` (default `root`; the configured image when nothing was flashed) to `target`. */
  @exportMethod
  async dump(target: unknown, partition: string | null = null): Promise<null> {
    const path = this.#machine.partitionPath(partition, true);
    if (!existsSync(path)) throw preconditionError(`nothing to dump: the ${partition ?? "root"} image does not exist (${path})`);
    const output = await this.resource(target);
    try {
      await pipeline(createReadStream(path), output);
    } finally {
      output.destroy();
    }
    return null;
  }
}
