/**
 * @module
 * Storage clients with the reference labels: `FlasherClient`, `StorageMuxClient` and
 * `StorageMuxFlasherClient` (jumpstarter_driver_opendal.client.*).
 */
import { InterfaceClient, InvalidArgumentError, registerClientClass } from "@jumpstarter/core";
import type { ResourceHandle } from "@jumpstarter/core";
import type { TransferOptions } from "./image-io.js";
import { withDumpTarget, withImageSource } from "./image-io.js";
import { FlasherInterface, StorageMuxFlasherInterface, StorageMuxInterface } from "./interface.js";

/** What `flash`/`dump` take on every storage client. */
export interface ImageTransfers {
  /** Writes the image at `source` (local path or http(s) URL) to the device. */
  flash(source: string, options?: TransferOptions): Promise<void>;
  /** Reads the device into the local file `path`. */
  dump(path: string, options?: TransferOptions): Promise<void>;
}

/** Client of flashers: images go to named targets (`null` for the default one). */
export class FlasherClient extends InterfaceClient<typeof FlasherInterface> implements ImageTransfers {
  async flash(source: string, options: TransferOptions = {}): Promise<void> {
    await withImageSource(this, source, options, (handle) => this.invoke("flash", handle, options.target ?? null));
  }

  async dump(path: string, options: TransferOptions = {}): Promise<void> {
    await withDumpTarget(this, path, options, (handle) => this.invoke("dump", handle, options.target ?? null));
  }
}

/** Client of storage muxes: switch the storage between host, DUT and off; write and read it on the host side. */
export class StorageMuxClient extends InterfaceClient<typeof StorageMuxInterface> {
  /** Connects the storage to the exporter. */
  async host(): Promise<void> {
    await this.invoke("host");
  }

  /** Connects the storage to the DUT. */
  async dut(): Promise<void> {
    await this.invoke("dut");
  }

  /** Disconnects the storage from both sides. */
  async off(): Promise<void> {
    await this.invoke("off");
  }

  /** Writes the bytes behind a resource handle to the storage. */
  async write(handle: ResourceHandle): Promise<void> {
    await this.invoke("write", handle);
  }

  /** Reads the storage into a resource handle. */
  async read(handle: ResourceHandle): Promise<void> {
    await this.invoke("read", handle);
  }

  /** Writes a local file or http(s) URL to the storage (without switching the mux). */
  async writeFile(source: string, options: TransferOptions = {}): Promise<void> {
    await withImageSource(this, source, options, (handle) => this.write(handle));
  }

  /** Reads the storage into a local file (without switching the mux). */
  async readFile(path: string, options: TransferOptions = {}): Promise<void> {
    await withDumpTarget(this, path, options, (handle) => this.read(handle));
  }
}

/** A storage mux used as a flasher: `flash` = host → write → dut, `dump` = host → read. */
export class StorageMuxFlasherClient extends StorageMuxClient implements ImageTransfers {
  async flash(source: string, options: TransferOptions = {}): Promise<void> {
    rejectTarget(options);
    await this.host();
    try {
      await this.writeFile(source, options);
    } finally {
      await this.dut();
    }
  }

  async dump(path: string, options: TransferOptions = {}): Promise<void> {
    rejectTarget(options);
    await this.host();
    await this.readFile(path, options);
  }
}

function rejectTarget(options: TransferOptions): void {
  if (options.target !== undefined && options.target !== null) {
    throw new InvalidArgumentError(`a storage mux has a single storage; target "${options.target}" cannot be chosen`);
  }
}

registerClientClass(FlasherInterface.client, FlasherClient);
registerClientClass(StorageMuxInterface.client, StorageMuxClient);
registerClientClass(StorageMuxFlasherInterface.client, StorageMuxFlasherClient);
