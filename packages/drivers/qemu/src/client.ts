/**
 * @module
 * Clients of the QEMU driver family: `QemuClient` (the composite, with guest identity and sizing) and
 * `QemuFlasherClient` (flash and dump images from files or HTTP URLs).
 */
import { open } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { registerClientClass, sniffEncoding, supportedEncodings } from "@jumpstarter/core";
import { CompositeClient } from "@jumpstarter/driver-composite";
import { FlasherClient, isHttpUrl } from "@jumpstarter/driver-storage";
import type { TransferOptions } from "@jumpstarter/driver-storage";
import type { FlashOciOutput } from "./interface.js";
import { QEMU_CLIENT, QemuFlasherInterface, QemuInterface } from "./interface.js";

/** Client of the `Qemu` composite; children (`power`, `console`, `flasher`, …) are reached by name. */
export class QemuClient extends CompositeClient {
  /** The guest's host name. */
  async hostname(): Promise<string> {
    return (await this.call("get_hostname" satisfies keyof (typeof QemuInterface)["methods"])) as string;
  }

  /** The guest user created by the cloud-init seed. */
  async username(): Promise<string> {
    return (await this.call("get_username" satisfies keyof (typeof QemuInterface)["methods"])) as string;
  }

  /** The password of {@link QemuClient.username}. */
  async password(): Promise<string> {
    return (await this.call("get_password" satisfies keyof (typeof QemuInterface)["methods"])) as string;
  }

  /** Sets the root disk size applied at the next power on (e.g. `"20G"`); shrinking is refused. */
  async setDiskSize(size: string): Promise<void> {
    await this.call("set_disk_size" satisfies keyof (typeof QemuInterface)["methods"], [size]);
  }

  /** Sets the guest memory used from the next power on (e.g. `"2G"`). */
  async setMemorySize(size: string): Promise<void> {
    await this.call("set_memory_size" satisfies keyof (typeof QemuInterface)["methods"], [size]);
  }
}

/**
 * Client of the QEMU flasher: the storage package's flasher client (local files with progress, http(s)
 * URLs the exporter downloads) plus `oci://` references. xz and bzip2 images are sent as they are: the
 * exporter decompresses them itself.
 */
export class QemuFlasherClient extends FlasherClient {
  override async flash(source: string, options: TransferOptions = {}): Promise<void> {
    if (source.startsWith("oci://")) {
      for await (const _ of this.flashOci(source, options.target ?? null)) void _;
      return;
    }
    const compression = options.compression === undefined && !isHttpUrl(source) ? await exporterDecoded(source) : undefined;
    await super.flash(source, compression === undefined ? options : { ...options, compression });
  }

  /** Flashes an OCI image with the exporter's `fls`, yielding its output (this exporter has none). */
  flashOci(url: string, target: string | null = null, username: string | null = null, password: string | null = null): AsyncGenerator<FlashOciOutput> {
    const method = "flash_oci" satisfies keyof (typeof QemuFlasherInterface)["methods"];
    return this.streamingCall(method, [url, target, username, password]) as AsyncGenerator<FlashOciOutput>;
  }
}

/** `null` (send as is) for images the exporter decompresses with its own tools; undefined to let the client sniff. */
async function exporterDecoded(path: string): Promise<null | undefined> {
  let file: FileHandle | undefined;
  try {
    file = await open(path, "r");
    const head = Buffer.alloc(8);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    const encoding = sniffEncoding(head.subarray(0, bytesRead));
    return encoding !== null && !supportedEncodings({}).has(encoding) ? null : undefined;
  } catch {
    return undefined;
  } finally {
    await file?.close();
  }
}

registerClientClass(QEMU_CLIENT, QemuClient);
registerClientClass(QemuFlasherInterface.client, QemuFlasherClient);
