/**
 * @module
 * What the guest gets besides its images: exporter ports for its forwarded services and the cloud-init seed
 * (`meta-data` with the host name, `user-data` with the user and password), served as a FAT disk labelled
 * CIDATA.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { QemuSettings } from "./config.js";

/** A port the OS considers free on `host` right now. */
export async function freePort(host: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Whether `port` on `host` can be listened on right now. */
export async function portFree(host: string, port: number): Promise<boolean> {
  const server = createServer();
  const free = await new Promise<boolean>((resolve) => {
    server.once("error", () => resolve(false));
    server.listen(port, host, () => resolve(true));
  });
  if (free) await new Promise<void>((resolve) => server.close(() => resolve()));
  return free;
}

/** Writes the cloud-init seed into `dir` and returns `dir`. */
export function writeCidata(dir: string, settings: Pick<QemuSettings, "hostname" | "username" | "password">): string {
  mkdirSync(dir, { recursive: true });
  const { hostname, username, password } = settings;
  writeFileSync(join(dir, "meta-data"), `instance-id: ${JSON.stringify(`jumpstarter-${hostname}`)}\nlocal-hostname: ${hostname}\n`);
  const user = [
    `  - name: ${JSON.stringify(username)}`,
    `    plain_text_passwd: ${JSON.stringify(password)}`,
    "    lock_passwd: false",
    '    sudo: "ALL=(ALL) NOPASSWD:ALL"',
  ];
  writeFileSync(join(dir, "user-data"), ["#cloud-config", "ssh_pwauth: true", "users:", ...user, ""].join("\n"));
  return dir;
}
