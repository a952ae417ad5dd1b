/**
 * @module
 * Flasher drivers: `FileFlasher` (named targets mapped to files or block devices on the exporter) and the
 * reference's `MockFlasher` (one temporary file per partition name).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { Driver, InvalidArgumentError, callSignal, exportMethod } from "@jumpstarter/core";
import type { DriverMethods, DriverOptions } from "@jumpstarter/core";
import { FlasherInterface } from "./interface.js";
import { mockConfigSchema } from "./storage-mux.js";
import { readImage, writeImage } from "./transfer.js";

/** Shared behaviour of flashers whose targets are paths on the exporter. */
export abstract class PathFlasher extends Driver implements DriverMethods<typeof FlasherInterface> {
  /** Decompress gzip/zstd images detected by their magic bytes. */
  readonly #detectCompression: boolean;

  protected constructor(detectCompression: boolean, options: DriverOptions) {
    super(options);
    this.#detectCompression = detectCompression;
  }

  client(): string {
    return FlasherInterface.client;
  }

  /** The path of target `name` (`null`: the default target); throws InvalidArgumentError for unknown names. */
  protected abstract targetPath(name: string | null): { readonly name: string; readonly path: string };

  /** Writes the resource's bytes to `target` (the default target when null). */
  @exportMethod
  async flash(source: unknown, target: string | null = null): Promise<null> {
    const { name, path } = this.targetPath(checkTarget(target));
    const signal = callSignal();
    await writeImage(await this.resource(source, { signal }), path, {
      detectCompression: this.#detectCompression,
      signal,
      label: `target "${name}"`,
    });
    return null;
  }

  /** Reads `partition` (the default target when null) into the resource. */
  @exportMethod
  async dump(target: unknown, partition: string | null = null): Promise<null> {
    const { name, path } = this.targetPath(checkTarget(partition));
    const signal = callSignal();
    await readImage(path, await this.resource(target, { signal }), { signal, label: `target "${name}"` });
    return null;
  }
}

function checkTarget(target: unknown): string | null {
  if (target === null || target === undefined) return null;
  if (typeof target !== "string") throw new InvalidArgumentError(`target must be a string or null, got ${JSON.stringify(target)}`);
  return target;
}

/** Config of {@link FileFlasher}. */
export const fileFlasherConfigSchema = z
  .object({
    /** Target name → file or block device, e.g. `{ default: /dev/mmcblk0, boot: /dev/mmcblk0p1 }`. */
    targets: z.record(z.string().min(1), z.string().min(1)).refine((targets) => Object.keys(targets).length > 0, "at least one target is needed"),
    /** Target used when a call names none; the first target by default. */
    default_target: z.string().min(1).optional(),
  })
  .strict()
  .refine((config) => config.default_target === undefined || config.default_target in config.targets, {
    message: "default_target must be one of the targets",
    path: ["default_target"],
  });

/** Config of {@link FileFlasher} as written in YAML. */
export type FileFlasherConfig = z.input<typeof fileFlasherConfigSchema>;

/** A flasher writing images to named files or block devices; gzip/zstd images are decompressed. */
export class FileFlasher extends PathFlasher {
  static readonly configSchema = fileFlasherConfigSchema;
  readonly targets: Readonly<Record<string, string>>;
  readonly defaultTarget: string;

  constructor(config: FileFlasherConfig, options: DriverOptions = {}) {
    super(true, options);
    const parsed = fileFlasherConfigSchema.parse(config);
    this.targets = parsed.targets;
    this.defaultTarget = parsed.default_target ?? Object.keys(parsed.targets)[0]!;
  }

  protected targetPath(name: string | null): { name: string; path: string } {
    const chosen = name ?? this.defaultTarget;
    const path = Object.hasOwn(this.targets, chosen) ? this.targets[chosen] : undefined;
    if (path === undefined) {
      throw new InvalidArgumentError(`unknown target "${chosen}"; this flasher has: ${Object.keys(this.targets).join(", ")}`);
    }
    return { name: chosen, path };
  }
}

/** The reference `MockFlasher`: each partition name (default `default`) is a file in a temporary directory. */
export class MockFlasher extends PathFlasher {
  static readonly configSchema = mockConfigSchema;
  /** The temporary directory holding one file per partition. */
  readonly directory: string;

  constructor(config: Record<string, never> = {}, options: DriverOptions = {}) {
    mockConfigSchema.parse(config);
    super(false, options);
    this.directory = mkdtempSync(join(tmpdir(), "jmp-mock-flasher-"));
  }

  protected targetPath(name: string | null): { name: string; path: string } {
    const chosen = name ?? "default";
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(chosen)) throw new InvalidArgumentError(`invalid partition name "${chosen}"`);
    return { name: chosen, path: join(this.directory, chosen) };
  }

  /** Removes the temporary directory. */
  override async close(): Promise<void> {
    try {
      await super.close();
    } finally {
      rmSync(this.directory, { recursive: true, force: true });
    }
  }
}
