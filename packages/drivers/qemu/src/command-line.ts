/**
 * @module
 * The QEMU command line for one power on: machine, accelerator, CPUs and memory, the control sockets (QMP,
 * serial console, VNC), user-mode networking with the forwarded ports, firmware, direct kernel boot, the
 * root disk and the cloud-init seed.
 */
import type { QemuSettings } from "./config.js";
import type { DiskFormat } from "./disk.js";
import { parseSize } from "./size.js";

/** Files and sockets of one boot. */
export interface BootFiles {
  readonly qmp: string;
  readonly serial: string;
  readonly vnc: string;
  readonly kernel?: string;
  readonly initrd?: string;
  readonly bios?: string;
  readonly ovmf?: { readonly code: string; readonly vars: string };
  readonly root?: { readonly path: string; readonly format: DiskFormat };
  /** Directory served to the guest as a read-only FAT disk labelled CIDATA. */
  readonly cidata?: string;
}

/** Host ports chosen for each forwarded guest port. */
export type HostPorts = Readonly<Record<string, number>>;

/** Escapes a value inside a QEMU `key=value,…` option (commas are doubled). */
export function optionValue(value: string): string {
  return value.replaceAll(",", ",,");
}

/** The arguments after the binary name. */
export function qemuArguments(settings: QemuSettings, files: BootFiles, ports: HostPorts, kvm: boolean): string[] {
  const args = ["-nodefaults", "-display", "none", "-name", `guest=${settings.hostname}`, "-no-user-config"];
  args.push("-accel", kvm ? "kvm" : "tcg");
  if (settings.arch === "x86_64") args.push("-machine", "q35");
  else if (settings.arch === "aarch64") args.push("-machine", "virt");
  const cpu = settings.cpu ?? (kvm ? "host" : defaultCpu(settings.arch));
  if (cpu) args.push("-cpu", cpu);
  const memoryMiB = Math.max(1, Math.floor(parseSize(settings.mem) / (1024 * 1024)));
  args.push("-smp", String(settings.smp), "-m", `${memoryMiB}M`);
  args.push("-qmp", `unix:${optionValue(files.qmp)},server=on,wait=off`);
  args.push("-serial", `unix:${optionValue(files.serial)},server=on,wait=off`);
  args.push("-vnc", `unix:${optionValue(files.vnc)}`);

  const mmio = settings.virtioTransport === "mmio";
  const forwards = Object.entries(settings.hostfwd).map(
    ([name, forward]) => `hostfwd=${forward.protocol}:${forward.hostaddr}:${ports[name] ?? forward.hostport}-:${forward.guestport}`,
  );
  args.push("-netdev", ["user", "id=eth0", ...forwards].join(","));
  args.push("-device", `${mmio ? "virtio-net-device" : "virtio-net-pci"},netdev=eth0`);
  if (!mmio) args.push("-device", "virtio-gpu-pci");

  if (files.bios) args.push("-bios", files.bios);
  if (files.ovmf) {
    args.push("-drive", `file=${optionValue(files.ovmf.code)},if=pflash,format=raw,unit=0,readonly=on`);
    args.push("-drive", `file=${optionValue(files.ovmf.vars)},if=pflash,format=raw,unit=1,snapshot=on,readonly=off`);
  }
  if (files.kernel) {
    args.push("-kernel", files.kernel);
    if (files.initrd) args.push("-initrd", files.initrd);
    if (settings.append) args.push("-append", settings.append);
  }
  const blk = mmio ? "virtio-blk-device" : "virtio-blk-pci";
  if (files.root) {
    args.push("-blockdev", `driver=${files.root.format},node-name=rootfs,file.driver=file,file.filename=${optionValue(files.root.path)}`);
    args.push("-device", `${blk},drive=rootfs,bootindex=1`);
  }
  if (files.cidata && !mmio) {
    args.push("-blockdev", `driver=vvfat,node-name=cidata,read-only=on,dir=${optionValue(files.cidata)},label=CIDATA`);
    args.push("-device", `${blk},drive=cidata`);
  }
  return args;
}

function defaultCpu(arch: string): string | undefined {
  if (arch === "x86_64") return "qemu64,+ssse3,+sse4.1,+sse4.2,+popcnt";
  if (arch === "aarch64") return "cortex-a57";
  return undefined;
}
