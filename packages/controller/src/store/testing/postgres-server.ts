/**
 * @module
 * A throwaway PostgreSQL server for tests, run from Debian's packages (`apt-get install -y postgresql`):
 * `initdb` into a temporary directory and `postgres` on a free 127.0.0.1 port, as the `postgres` OS user when
 * running as root. Fails with a clear message when the server binaries are missing.
 */
import { execFile, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);
const ROOT = "/usr/lib/postgresql";

/** A running test server. */
export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`. */
  readonly url: string;
  readonly port: number;
  /** Creates an empty database and returns its URL. */
  createDatabase(): Promise<string>;
  /** Stops the server and removes its files. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

function binDir(): string {
  const versions = existsSync(ROOT)
    ? readdirSync(ROOT)
        .filter((entry) => existsSync(join(ROOT, entry, "bin", "postgres")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(`PostgreSQL server binaries not found under ${ROOT}/<version>/bin: install them with "apt-get install -y postgresql"`);
  }
  return join(ROOT, versions[0] as string, "bin");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function asPostgres(root: boolean, command: string, args: string[]): [string, string[]] {
  return root ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args];
}

/** Starts a fresh PostgreSQL server; stop it with `stop()` (or `await using`). */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = binDir();
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), "jmp-pg-"));
  const data = join(dir, "data");
  if (root) {
    const ids = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
    const uid = Number(ids.stdout.trim());
    if (ids.status !== 0 || !Number.isInteger(uid)) throw new Error('OS user "postgres" not found: install "postgresql" with apt-get');
    chownSync(dir, uid, uid);
  }
  const exec = (command: string, args: string[]) => {
    const [file, argv] = asPostgres(root, join(bin, command), args);
    return run(file, argv, { cwd: dir });
  };
  await exec("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
  const port = await freePort();
  const options = `-p ${port} -h 127.0.0.1 -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  await exec("pg_ctl", ["-D", data, "-o", options, "-l", join(dir, "server.log"), "-w", "-t", "120", "start"]);

  let stopped = false;
  const stopSync = () => {
    if (stopped) return;
    const [file, argv] = asPostgres(root, join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);
    spawnSync(file, argv, { cwd: dir, stdio: "ignore" });
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", stopSync);

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const stop = async () => {
    if (stopped) return;
    process.off("exit", stopSync);
    await exec("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]).catch(() => undefined);
    stopped = true;
    rmSync(dir, { recursive: true, force: true });
  };
  return {
    url,
    port,
    async createDatabase() {
      const name = `t_${randomBytes(6).toString("hex")}`;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
