/**
 * @module
 * Runs the `openssl` command line (Node cannot create X.509 certificates itself).
 */
import { execFile } from "node:child_process";

/** Runs `openssl args…` in `cwd`; rejects with openssl's stderr on failure. */
export function openssl(args: readonly string[], cwd: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    execFile(process.env["OPENSSL"] ?? "openssl", [...args], { cwd }, (error, _stdout, stderr) => {
      if (!error) resolve();
      else if ((error as NodeJS.ErrnoException).code === "ENOENT") reject(new Error("openssl not found on PATH: install it (Debian: apt-get install openssl) or pass --tls-cert/--tls-key", { cause: error }));
      else reject(new Error(`openssl ${args[0]} failed: ${stderr.trim() || error.message}`, { cause: error }));
    });
  });
}
