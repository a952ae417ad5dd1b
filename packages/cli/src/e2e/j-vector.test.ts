import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { SessionServer } from "@jumpstarter/core";
import { ExporterSession, ExporterStatus, listenSession } from "@jumpstarter/core";
import { loadExporterConfigFile } from "../config/load.js";
import { buildDriverTree } from "../exporter/build-tree.js";
import { EXAMPLES_DIR, J_BIN, runCli } from "../testing/spawn-cli.js";

const vectors = fileURLToPath(new URL("../../../../../shared/vectors/", import.meta.url));

let dir = "";
let session: ExporterSession;
let server: SessionServer;
const calls: string[] = [];
let env: NodeJS.ProcessEnv = {};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "jmp-e2e-j-"));
  const root = await buildDriverTree(await loadExporterConfigFile(join(EXAMPLES_DIR, "interop-mock.yaml")));
  session = new ExporterSession({ root });
  session.status.set(ExporterStatus.LEASE_READY);
  session.logs.subscribe((record) => {
    if (record.message === "Operation started") calls.push(`${record.driverType}.${record.operation}`);
  });
  server = await listenSession(session, { address: `unix:${join(dir, "socket")}` });
  const { JMP_DRIVERS_ALLOW: _allow, JMP_DRIVERS_UNSAFE: _unsafe, _JMP_SUPPRESS_DRIVER_WARNINGS: _quiet, ...rest } = process.env;
  env = { ...rest, JUMPSTARTER_HOST: join(dir, "socket") };
});
after(async () => {
  await server.close();
  await session.close();
  await rm(dir, { recursive: true, force: true });
});

describe("j against the interop exporter", () => {
  it("makes the driver calls the reference j makes for `j power on`", async () => {
    const vector = JSON.parse(await readFile(join(vectors, "j_cli_power_on.json"), "utf8")) as {
      calls: Array<{ method: string; requests: Array<{ json: { method?: string } }> }>;
      j_exit_code: number;
    };
    const expected = vector.calls.filter((call) => call.method.endsWith("/DriverCall")).map((call) => call.requests[0]!.json.method);
    assert.deepEqual(expected, ["get_methods", "on"]);
    calls.length = 0;
    const result = await runCli(J_BIN, ["power", "on"], { env: { ...env, JMP_DRIVERS_ALLOW: "UNSAFE" } });
    assert.deepEqual([result.code, result.stdout, result.stderr], [vector.j_exit_code, "", ""]);
    assert.deepEqual(calls, ["Shell.get_methods", "MockPower.on"]);
  });

  it("leaves drivers outside the allowlist out, with a warning and a help note", async () => {
    const allowPower = { ...env, JMP_DRIVERS_ALLOW: "jumpstarter_driver_power.*,jumpstarter_driver_composite.*" };
    const on = await runCli(J_BIN, ["group", "power2", "on"], { env: allowPower });
    assert.equal(on.code, 0);
    assert.equal(
      on.stderr,
      "Warning: Driver client 'jumpstarter_driver_network.client.NetworkClient' is not available.\nWarning: Driver client 'jumpstarter_driver_shell.client.ShellClient' is not available.\n",
    );
    const help = await runCli(J_BIN, ["--help"], { env: { ...allowPower, _JMP_SUPPRESS_DRIVER_WARNINGS: "1" } });
    assert.equal(help.stderr, "");
    assert.match(help.stdout, /Not available here:\n {2}tcp: unavailable, client jumpstarter_driver_network\.client\.NetworkClient is not allowed \(JMP_DRIVERS_ALLOW\)\n {2}shell: unavailable, client jumpstarter_driver_shell\.client\.ShellClient is not allowed/);
    const refused = await runCli(J_BIN, ["shell", "hello"], { env: { ...allowPower, _JMP_SUPPRESS_DRIVER_WARNINGS: "1" } });
    assert.deepEqual([refused.code, refused.stderr], [1, "Error: shell is not available: client jumpstarter_driver_shell.client.ShellClient is not allowed (JMP_DRIVERS_ALLOW)\n"]);
  });

  it("shows driver errors as one line with exit code 1, and a stack only at debug level", async () => {
    const unsafe = { ...env, JMP_DRIVERS_ALLOW: "UNSAFE" };
    session.status.set(ExporterStatus.AVAILABLE);
    try {
      const failed = await runCli(J_BIN, ["power", "on"], { env: unsafe });
      assert.equal(failed.code, 1);
      assert.match(failed.stderr, /^Error: DriverCall 'on' failed with gRPC FAILED_PRECONDITION: [^\n]+\n$/);
      const debug = await runCli(J_BIN, ["--log-level", "debug", "power", "on"], { env: unsafe });
      assert.equal(debug.code, 1);
      assert.match(debug.stderr, /^Error: DriverCall 'on' failed [^\n]+\n\S*Error: [^\n]+\n +at /);
      const help = await runCli(J_BIN, ["--help"], { env: unsafe });
      assert.match(help.stdout, /\n {2}shell: unavailable, DriverCall 'get_methods' failed with gRPC FAILED_PRECONDITION/);
      const shell = await runCli(J_BIN, ["shell", "hello"], { env: unsafe });
      assert.match(shell.stderr, /^Error: DriverCall 'get_methods' failed with gRPC FAILED_PRECONDITION[^\n]+\n$/);
    } finally {
      session.status.set(ExporterStatus.LEASE_READY);
    }
    const usage = await runCli(J_BIN, ["power", "cycle", "-w", "nonsense"], { env: unsafe });
    assert.equal(usage.code, 2);
    assert.equal(usage.stderr.split("\n").filter(Boolean).length, 1, usage.stderr);
  });
});
