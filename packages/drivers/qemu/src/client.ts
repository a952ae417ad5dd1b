/**
 * @module
 * Clients of the QEMU driver family: `QemuClient` (the composite, with guest identity and sizing) and
 * `QemuFlasherClient` (flash and dump images from files, streams or HTTP URLs).
 */
import { createReadStream, createWriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { Readable, Writable } from "node:stream";
import { Transform } from "node:stream";
import { InterfaceClient, InvalidArgumentError, registerClientClass } from "@jumpstarter/core";
import type { ContentEncoding, PresignedRequestHandle } from "@jumpstarter/core";
import { CompositeClient } from "@jumpstarter/driver-composite";
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

/** Progress of a transfer: bytes so far and the total when known. */
export type ProgressListener = (bytes: number, total: number | undefined) => void;

/** Options of {@link QemuFlasherClient.flash}. */
export interface FlashOptions {
  /** Image to write: `root` (default), `kernel`, `initrd`, `bios`, `OVMF_CODE.fd`, `OVMF_VARS.fd`. */
  readonly target?: string | null;
  /** Declares the source compressed this way, so it travels compressed. Without it the exporter detects it. */
  readonly compression?: ContentEncoding | null;
  /** Called as bytes leave this client. */
  readonly onProgress?: ProgressListener;
}

/** Options of {@link QemuFlasherClient.dump}. */
export interface DumpOptions {
  /** Image to read (default `root`). */
  readonly target?: string | null;
  /** Compress the dump this way. */
  readonly compression?: ContentEncoding | null;
  readonly onProgress?: ProgressListener;
}

/** Client of the QEMU flasher. */
export class QemuFlasherClient extends InterfaceClient<typeof QemuFlasherInterface> {
  /**
   * Flashes a local file, a stream, an `http(s)://` URL (downloaded by the exporter) or an `oci://` reference
   * (not supported by this exporter); a record maps several targets to their sources.
   */
  async flash(source: string | Readable | Readonly<Record<string, string>>, options: FlashOptions = {}): Promise<void> {
    if (typeof source === "object" && !isReadable(source)) {
      if (options.target != null) throw new InvalidArgumentError("'target' is not valid when flashing several images");
      for (const [target, path] of Object.entries(source)) await this.flash(path, { ...options, target });
      return;
    }
    const target = options.target ?? null;
    if (typeof source === "string" && source.startsWith("oci://")) {
      for await (const _ of this.flashOci(source, target)) void _;
      return;
    }
    if (typeof source === "string" && /^https?:\/\//.test(source)) {
      const handle: PresignedRequestHandle = { kind: "presigned_request", url: source, method: "GET", headers: {} };
      await this.invoke("flash", handle, target);
      return;
    }
    const total = typeof source === "string" ? (await stat(source)).size : undefined;
    const input = typeof source === "string" ? createReadStream(source) : source;
    const counted = input.pipe(counter(options.onProgress, total));
    input.once("error", (error: Error) => counted.destroy(error));
    await this.withResource({ source: counted, contentEncoding: options.compression ?? null }, (handle) => this.invoke("flash", handle, target));
  }

  /** Streams image `target` (default `root`) into a local file or a stream. */
  async dump(destination: string | Writable, options: DumpOptions = {}): Promise<void> {
    const sink = typeof destination === "string" ? createWriteStream(destination) : destination;
    const counting = counter(options.onProgress, undefined);
    counting.pipe(sink);
    const done = new Promise<void>((resolve, reject) => {
      sink.once("finish", () => resolve());
      sink.once("error", reject);
    });
    try {
      await this.withResource({ sink: counting, contentEncoding: options.compression ?? null }, (handle) =>
        this.invoke("dump", handle, options.target ?? null),
      );
    } catch (error) {
      counting.destroy();
      if (typeof destination === "string") sink.destroy();
      throw error;
    }
    await done;
  }

  /** Flashes an OCI image with the exporter's `fls`, yielding its output. */
  flashOci(url: string, target: string | null = null, username: string | null = null, password: string | null = null): AsyncGenerator<FlashOciOutput> {
    return this.invokeStreaming("flash_oci", url, target, username, password);
  }
}

function isReadable(value: object): value is Readable {
  return typeof (value as Readable).pipe === "function" && typeof (value as Readable).read === "function";
}

function counter(listener: ProgressListener | undefined, total: number | undefined): Transform {
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      listener?.(bytes, total);
      callback(null, chunk);
    },
  });
}

registerClientClass(QEMU_CLIENT, QemuClient);
registerClientClass(QemuFlasherInterface.client, QemuFlasherClient);
