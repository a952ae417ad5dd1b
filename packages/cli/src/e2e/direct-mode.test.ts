import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ExporterConnection, ExporterStatus } from "@jumpstarter/core";
import { selfSignedCertificate } from "@jumpstarter/core/testing";
import { EXAMPLES_DIR, J_BIN, JMP_BIN, runCli, startCli } from "../testing/spawn-cli.js";
import type { RunningCli } from "../testing/spawn-cli.js";

const demo = join(EXAMPLES_DIR, "demo.yaml");
let work = "";
let env: NodeJS.ProcessEnv = {};
let cert = "";
let key = "";

before(async () => {
  work = await mkdtemp(join(tmpdir(), "jmp-e2e-direct-"));
  await mkdir(join(work, "run"));
  const { JUMPSTARTER_HOST: _host, JMP_DRIVERS_ALLOW: _allow, SHELL: _shell, ...rest } = process.env;
  env = { ...rest, XDG_RUNTIME_DIR: join(work, "run") };
  ({ certPath: cert, keyPath: key } = await selfSignedCertificate(work, "127.0.0.1"));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Starts `jmp run` and returns it with the address it listens on. */
async function startExporter(args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ exporter: RunningCli; address: string }> {
  const exporter = startCli(JMP_BIN, ["run", ...args], { env: { ...env, ...extraEnv } });
  const match = await exporter.waitFor(/listening on (\S+)\n/);
  return { exporter, address: match[1]! };
}

async function stop(exporter: RunningCli): Promise<number | null> {
  exporter.child.kill("SIGTERM");
  return (await exporter.exited).code;
}

describe("jmp run in direct mode", () => {
  it("serves over plaintext TCP to jmp shell --tls-grpc", async () => {
    const { exporter, address } = await startExporter(["--exporter-config", demo, "--tls-grpc-listener", "127.0.0.1:0", "--tls-grpc-insecure"]);
    try {
      assert.match(address, /^127\.0\.0\.1:\d+$/);
      const result = await runCli(JMP_BIN, ["shell", "--tls-grpc", address, "--tls-grpc-insecure", "--", "sh", "-c", 'j power on && echo "$JMP_EXPORTER $JMP_LEASE $JMP_GRPC_INSECURE $JUMPSTARTER_HOST"'], { env });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `direct direct 1 ${address}\n`);
      const greet = await runCli(J_BIN, ["shell", "greet", "Bob"], { env: { ...env, JUMPSTARTER_HOST: address, JMP_GRPC_INSECURE: "1", JMP_DRIVERS_ALLOW: "UNSAFE" } });
      assert.deepEqual([greet.code, greet.stdout], [0, "Hello, Bob!\n"]);
    } finally {
      assert.equal(await stop(exporter), 143);
    }
    assert.deepEqual(await readdir(join(work, "run")), []);
  });

  it("serves over TLS with a certificate the client trusts", async () => {
    const { exporter, address } = await startExporter(["--exporter-config", demo, "--tls-grpc-listener", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key]);
    try {
      const trusted = await runCli(JMP_BIN, ["shell", "--tls-grpc", address, "--", "j", "power", "on"], { env: { ...env, GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: cert } });
      assert.equal(trusted.code, 0, trusted.stderr);
      const untrusted = await runCli(JMP_BIN, ["shell", "--tls-grpc", address, "--", "j", "power", "on"], { env });
      assert.deepEqual([untrusted.code, untrusted.stderr], [1, "Error: Exporter did not respond to initial connection\n"]);
      const plaintext = await runCli(JMP_BIN, ["shell", "--tls-grpc", address, "--tls-grpc-insecure", "--", "true"], { env });
      assert.equal(plaintext.code, 1);
    } finally {
      await stop(exporter);
    }
  });

  it("requires the passphrase on every call when one is set", async () => {
    const { exporter, address } = await startExporter(["--exporter-config", demo, "--tls-grpc-listener", "127.0.0.1:0", "--tls-grpc-insecure", "--passphrase", "s3cret"]);
    try {
      const good = await runCli(JMP_BIN, ["shell", "--tls-grpc", address, "--tls-grpc-insecure", "--passphrase", "s3cret", "--", "j", "power", "on"], { env });
      assert.equal(good.code, 0, good.stderr);
      for (const passphrase of [["--passphrase", "wrong"], []]) {
        const bad = await runCli(JMP_BIN, ["shell", "--tls-grpc", address, "--tls-grpc-insecure", ...passphrase, "--", "true"], { env });
        assert.equal(bad.code, 1);
        assert.match(bad.stderr, /^Error: .*invalid or missing passphrase\n$/);
      }
      const jEnv = { ...env, JUMPSTARTER_HOST: address, JMP_GRPC_INSECURE: "1", JMP_DRIVERS_ALLOW: "UNSAFE" };
      assert.equal((await runCli(J_BIN, ["power", "on"], { env: { ...jEnv, JMP_GRPC_PASSPHRASE: "s3cret" } })).code, 0);
      const wrong = await runCli(J_BIN, ["power", "on"], { env: { ...jEnv, JMP_GRPC_PASSPHRASE: "nope" } });
      assert.equal(wrong.code, 1);
      assert.match(wrong.stderr, /invalid or missing passphrase/);
    } finally {
      await stop(exporter);
    }
  });

  it("runs beforeLease at start and afterLease at shutdown, each able to use j", async () => {
    const marks = join(work, "marks.log");
    const config = join(work, "hooks.yaml");
    await writeFile(
      config,
      (await readFile(demo, "utf8")) +
        `hooks:\n  beforeLease:\n    script: |\n      j power on && echo "before $LEASE_NAME" >> ${marks}\n      echo "from the hook" > "$JMP_MOTD_FILE"\n      echo hook-output-line\n` +
        `  afterLease:\n    script: j power off && echo after >> ${marks}\n`,
    );
    const { exporter, address } = await startExporter(["--exporter-config", config, "--tls-grpc-listener", "127.0.0.1:0", "--tls-grpc-insecure", "--log-level", "info", "--log-format", "text"]);
    let code: number | null = null;
    try {
      const connection = new ExporterConnection({ address });
      try {
        let status = await connection.getStatus({ timeoutMs: 10_000 });
        for (let attempt = 0; attempt < 200 && status.status !== ExporterStatus.LEASE_READY; attempt++) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          status = await connection.getStatus({ timeoutMs: 10_000 });
        }
        assert.equal(status.status, ExporterStatus.LEASE_READY);
        assert.equal(status.message, "Ready for commands");
        assert.equal(status.previousStatus, ExporterStatus.BEFORE_LEASE_HOOK);
        assert.match((await connection.getReport()).motd, /Welcome to the Jumpstarter demo exporter[\s\S]*\nfrom the hook$/);
      } finally {
        connection.close();
      }
      assert.equal(await readFile(marks, "utf8"), "before direct\n");
      await exporter.waitFor(/INFO    before_lease_hook: hook-output-line\n/);
    } finally {
      code = await stop(exporter);
    }
    assert.equal(code, 143);
    assert.equal(await readFile(marks, "utf8"), "before direct\nafter\n");
  });

  it("applies onFailure: exit stops the exporter, endLease keeps it not ready", async () => {
    const config = join(work, "failing.yaml");
    const base = await readFile(demo, "utf8");
    await writeFile(config, `${base}hooks:\n  beforeLease:\n    script: echo failing; exit 3\n    onFailure: exit\n`);
    const exited = await runCli(JMP_BIN, ["run", "--exporter-config", config, "--tls-grpc-listener", "127.0.0.1:0", "--tls-grpc-insecure"], { env });
    assert.equal(exited.code, 1);
    assert.match(exited.stderr, /beforeLease hook failed \(on_failure=exit, shutting down\): Hook failed with exit code 3/);
    await writeFile(config, `${base}hooks:\n  beforeLease:\n    script: exit 4\n    onFailure: endLease\n`);
    const { exporter, address } = await startExporter(["--exporter-config", config, "--tls-grpc-listener", "127.0.0.1:0", "--tls-grpc-insecure"]);
    try {
      const client = await runCli(JMP_BIN, ["shell", "--tls-grpc", address, "--tls-grpc-insecure", "--", "true"], { env });
      assert.deepEqual(
        [client.code, client.stderr],
        [1, "Error: the exporter is not ready: beforeLease hook failed (on_failure=endLease): Hook failed with exit code 4\n"],
      );
    } finally {
      await stop(exporter);
    }
  });

  it("serves on a fixed unix socket, refusing one in use and clearing a stale one", async () => {
    const socket = join(work, "exporter.sock");
    const { exporter } = await startExporter(["--exporter-config", demo, "--unix-socket", socket]);
    try {
      const on = await runCli(J_BIN, ["power", "on"], { env: { ...env, JUMPSTARTER_HOST: socket, JMP_DRIVERS_ALLOW: "UNSAFE" } });
      assert.equal(on.code, 0, on.stderr);
      const second = await runCli(JMP_BIN, ["run", "--exporter-config", demo, "--unix-socket", socket], { env });
      assert.deepEqual([second.code, second.stderr], [1, `Error: cannot listen on ${socket}: the socket is in use by another process\n`]);
    } finally {
      await stop(exporter);
    }
    assert.equal(existsSync(socket), false);
    execFileSync("python3", ["-c", `import socket; s = socket.socket(socket.AF_UNIX); s.bind(${JSON.stringify(socket)})`]);
    assert.equal(existsSync(socket), true);
    const { exporter: again } = await startExporter(["--exporter-config", demo, "--unix-socket", socket]);
    try {
      const on = await runCli(J_BIN, ["power", "on"], { env: { ...env, JUMPSTARTER_HOST: socket, JMP_DRIVERS_ALLOW: "UNSAFE" } });
      assert.equal(on.code, 0, on.stderr);
    } finally {
      await stop(again);
    }
  });

  it("rejects inconsistent listener options as usage errors", async () => {
    const both = await runCli(JMP_BIN, ["run", "--exporter-config", demo, "--tls-grpc-listener", "0"], { env });
    assert.deepEqual([both.code, both.stderr], [2, "Error: --tls-grpc-listener needs exactly one of --tls-grpc-insecure or --tls-cert with --tls-key\n"]);
    const badPort = await runCli(JMP_BIN, ["run", "--exporter-config", demo, "--tls-grpc-listener", "host:99999", "--tls-grpc-insecure"], { env });
    assert.equal(badPort.code, 2);
  });
});
