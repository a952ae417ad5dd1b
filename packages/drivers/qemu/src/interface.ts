/**
 * @module
 * The QEMU interfaces: the composite `Qemu` (guest identity and sizing), its flasher (disk and boot images)
 * and its power child. Wire names, argument order and client labels are those of the reference
 * `jumpstarter_driver_qemu` package.
 */
import { defineInterface, streaming, unary } from "@jumpstarter/core";

/** Client label of the `Qemu` composite. */
export const QEMU_CLIENT = "jumpstarter_driver_qemu.client.QemuClient";
/** Client label of the QEMU flasher child. */
export const QEMU_FLASHER_CLIENT = "jumpstarter_driver_qemu.client.QemuFlasherClient";
/** Client label of the QEMU power child (the shared power client). */
export const QEMU_POWER_CLIENT = "jumpstarter_driver_power.client.PowerClient";

/** Guest identity and the sizes used at the next power on. */
export const QemuInterface = defineInterface({
  name: "qemu",
  client: QEMU_CLIENT,
  methods: {
    get_hostname: unary<[], string>(),
    get_username: unary<[], string>(),
    get_password: unary<[], string>(),
    /** Root disk size for the next power on, e.g. `"20G"`; the disk only ever grows. */
    set_disk_size: unary<[size: string], null>(),
    /** Guest memory for the next power on, e.g. `"2G"`. */
    set_memory_size: unary<[size: string], null>(),
  },
});

/** One line of tool output as `flash_oci` yields it: `[stdout, stderr, returncode | null]`. */
export type FlashOciOutput = readonly [stdout: string, stderr: string, returncode: number | null];

/**
 * Flashing the VM's images. `source`/`target` are resource handles (or, for `flash`, an `oci://` reference);
 * `partition` names the image: `root` (default), `bios`, `OVMF_CODE.fd`, `OVMF_VARS.fd`, `kernel`, `initrd`.
 */
export const QemuFlasherInterface = defineInterface({
  name: "qemu-flasher",
  client: QEMU_FLASHER_CLIENT,
  methods: {
    flash: unary<[source: unknown, partition?: string | null], null>(),
    flash_oci: streaming<
      [oci_url: string, partition?: string | null, oci_username?: string | null, oci_password?: string | null],
      FlashOciOutput
    >(),
    dump: unary<[target: unknown, partition?: string | null], null>(),
  },
});

/**
 * Power of the VM. As in the reference, `read` is a unary method that is not implemented (a VM has no
 * meter), so `PowerClient.read()`, which streams, gets NOT_FOUND just as it does against the reference.
 */
export const QemuPowerInterface = defineInterface({
  name: "qemu-power",
  client: QEMU_POWER_CLIENT,
  methods: {
    on: unary<[], null>(),
    off: unary<[], null>(),
    read: unary<[], never>(),
  },
});

/** Image names the flasher accepts. */
export const PARTITIONS = ["root", "bios", "OVMF_CODE.fd", "OVMF_VARS.fd", "kernel", "initrd"] as const;
/** One of {@link PARTITIONS}. */
export type Partition = (typeof PARTITIONS)[number];
