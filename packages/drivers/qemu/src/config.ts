/**
 * @module
 * `config:` of the `Qemu` driver: the reference's keys (`arch`, `cpu`, `smp`, `mem`, `disk_size`, `hostname`,
 * `username`, `password`, `default_partitions`, `virtio_transport`, `hostfwd`, the `fls_*` keys and
 * `flash_timeout`), the short forms of the seed exporter config (`image_path`, `memory`, `cpu_cores`) and
 * direct kernel boot (`kernel`, `initrd`, `append`), plus `accel` and `shutdown_timeout`.
 */
import { arch as hostArch } from "node:os";
import { resolve } from "node:path";
import { z } from "zod";
import { parseSize } from "./size.js";

const sizeText = z.string().refine((text) => {
  try {
    parseSize(text);
    return true;
  } catch {
    return false;
  }
}, "expected a size such as '512M', '2G' or '20GiB'");

/** One forwarded guest port: `hostaddr:hostport` on the exporter reaches `guestport` in the VM. */
export const HostfwdSchema = z.strictObject({
  protocol: z.literal("tcp").default("tcp"),
  hostaddr: z.string().min(1).default("127.0.0.1"),
  /** 0 (or absent) picks a free port when the driver starts. */
  hostport: z.number().int().min(0).max(65535).default(0),
  guestport: z.number().int().min(1).max(65535),
});

/** Config schema of `Qemu`. */
export const QemuConfigSchema = z
  .strictObject({
    arch: z.string().regex(/^[a-z0-9_]+$/, "expected a QEMU target name such as x86_64 or aarch64").optional(),
    cpu: z.string().min(1).nullable().default(null),
    smp: z.number().int().min(1).optional(),
    cpu_cores: z.number().int().min(1).optional(),
    mem: sizeText.optional(),
    /** Guest memory: a size (`1G`) or a number of MiB. */
    memory: z.union([sizeText, z.number().int().min(16)]).optional(),
    disk_size: sizeText.nullable().default(null),
    hostname: z
      .string()
      .regex(/^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/, "expected a host name (letters, digits and dashes)")
      .default("demo"),
    username: z.string().min(1).default("jumpstarter"),
    password: z.string().default("password"),
    default_partitions: z.record(z.string(), z.string().min(1)).default({}),
    /** The root disk image, the same as `default_partitions.root`. */
    image_path: z.string().min(1).optional(),
    /** Linux kernel booted directly (`-kernel`), the same as `default_partitions.kernel`. */
    kernel: z.string().min(1).optional(),
    /** Initial ramdisk for `kernel` (`-initrd`), the same as `default_partitions.initrd`. */
    initrd: z.string().min(1).optional(),
    /** Kernel command line for `kernel`. */
    append: z.string().default("console=ttyS0"),
    virtio_transport: z.enum(["pci", "mmio"]).default("pci"),
    hostfwd: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/), HostfwdSchema).default({}),
    /** `auto` uses KVM when /dev/kvm is usable and the host CPU has virtualization extensions. */
    accel: z.enum(["auto", "kvm", "tcg"]).default("auto"),
    /** Seconds `off` waits for the guest to power itself down before stopping QEMU. */
    shutdown_timeout: z.number().min(0).default(10),
    fls_version: z.string().nullable().default(null),
    fls_allow_custom_binaries: z.boolean().default(false),
    fls_custom_binary_url: z.string().nullable().default(null),
    flash_timeout: z.number().int().min(1).default(30 * 60),
    launcher_socket: z.null().optional(),
  })
  .superRefine((config, context) => {
    if (config.mem !== undefined && config.memory !== undefined) {
      context.addIssue({ code: "custom", path: ["memory"], message: "give either mem or memory, not both" });
    }
    if (config.smp !== undefined && config.cpu_cores !== undefined) {
      context.addIssue({ code: "custom", path: ["cpu_cores"], message: "give either smp or cpu_cores, not both" });
    }
    for (const [key, alias] of [["image_path", "root"], ["kernel", "kernel"], ["initrd", "initrd"]] as const) {
      if (config[key] !== undefined && config.default_partitions[alias] !== undefined) {
        context.addIssue({ code: "custom", path: [key], message: `give either ${key} or default_partitions.${alias}, not both` });
      }
    }
    const reserved = new Set(["power", "flasher", "console", "vnc"]);
    for (const name of Object.keys(config.hostfwd)) {
      if (reserved.has(name)) context.addIssue({ code: "custom", path: ["hostfwd", name], message: `${name} is the name of a built-in child` });
    }
  });

/** Config of `Qemu` as written in YAML. */
export type QemuConfig = z.input<typeof QemuConfigSchema>;
/** One forwarded port after defaults. */
export type Hostfwd = z.output<typeof HostfwdSchema>;

/** The settings a `Qemu` driver runs with (aliases folded, defaults applied). */
export interface QemuSettings {
  readonly arch: string;
  readonly cpu: string | null;
  readonly smp: number;
  /** Memory as QEMU's `-m` takes it, e.g. `512M`; changed by `set_memory_size`. */
  mem: string;
  /** Root disk size for the next power on; changed by `set_disk_size`. */
  diskSize: string | null;
  readonly hostname: string;
  readonly username: string;
  readonly password: string;
  readonly defaultPartitions: Readonly<Record<string, string>>;
  readonly append: string;
  readonly virtioTransport: "pci" | "mmio";
  readonly hostfwd: Readonly<Record<string, Hostfwd>>;
  readonly accel: "auto" | "kvm" | "tcg";
  readonly shutdownTimeoutMs: number;
}

/** The QEMU target matching this host, as `uname -m` spells it. */
export function hostQemuArch(): string {
  const names: Readonly<Record<string, string>> = { x64: "x86_64", arm64: "aarch64", ia32: "i386", riscv64: "riscv64", ppc64: "ppc64", s390x: "s390x" };
  return names[hostArch()] ?? hostArch();
}

/** Validates `config` and folds it into {@link QemuSettings}. */
export function settingsFrom(config: QemuConfig): QemuSettings {
  const parsed = QemuConfigSchema.parse(config);
  // Relative image paths are relative to the exporter's working directory, as when the reference opens them.
  const partitions: Record<string, string> = {};
  for (const [name, path] of Object.entries(parsed.default_partitions)) partitions[name] = resolve(path);
  if (parsed.image_path !== undefined) partitions["root"] = resolve(parsed.image_path);
  if (parsed.kernel !== undefined) partitions["kernel"] = resolve(parsed.kernel);
  if (parsed.initrd !== undefined) partitions["initrd"] = resolve(parsed.initrd);
  const memory = parsed.memory ?? parsed.mem ?? "512M";
  return {
    arch: parsed.arch ?? hostQemuArch(),
    cpu: parsed.cpu,
    smp: parsed.smp ?? parsed.cpu_cores ?? 2,
    mem: typeof memory === "number" ? `${memory}M` : memory,
    diskSize: parsed.disk_size,
    hostname: parsed.hostname,
    username: parsed.username,
    password: parsed.password,
    defaultPartitions: partitions,
    append: parsed.append,
    virtioTransport: parsed.virtio_transport,
    hostfwd: parsed.hostfwd,
    accel: parsed.accel,
    shutdownTimeoutMs: parsed.shutdown_timeout * 1000,
  };
}
