/**
 * @module
 * Claiming a fixed unix socket path: refuse when another process listens there, clear a stale socket file.
 */
import { lstat, rm } from "node:fs/promises";
import { createConnection } from "node:net";
import { CliError } from "../errors.js";

function probe(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Makes `path` free for a new listener. */
export async function claimUnixSocket(path: string): Promise<void> {
  let stats;
  try {
    stats = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  if (!stats.isSocket()) throw new CliError(`cannot listen on ${path}: the path exists and is not a socket`);
  if (await probe(path)) throw new CliError(`cannot listen on ${path}: the socket is in use by another process`);
  await rm(path, { force: true });
}
