import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { EXAMPLES_DIR, J_BIN, JMP_BIN, runCli, startCli, waitGone } from "../testing/spawn-cli.js";

const demo = join(EXAMPLES_DIR, "demo.yaml");
const fixtures = fileURLToPath(new URL("../testing/fixture-drivers.js", import.meta.url));
const head = "apiVersion: jumpstarter.dev/v1alpha1\nkind: ExporterConfig\nmetadata:\n  namespace: default\n  name: lab\n";

let work = "";
let runtime = "";
let env: NodeJS.ProcessEnv = {};

before(async () => {
  work = await mkdtemp(join(tmpdir(), "jmp-e2e-local-"));
  runtime = join(work, "run");
  await import("node:fs/promises").then((fs) => fs.mkdir(runtime));
  const { JUMPSTARTER_HOST: _host, JMP_DRIVERS_ALLOW: _allow, SHELL: _shell, ...rest } = process.env;
  env = { ...rest, XDG_RUNTIME_DIR: runtime, JMP_CLIENT_CONFIG_HOME: join(work, "config") };
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

async function leftovers(): Promise<string[]> {
  return readdir(runtime);
}

async function writeConfig(name: string, body: string): Promise<string> {
  const path = join(work, name);
  await writeFile(path, `${head}${body}`);
  return path;
}

const shell = (config: string, command: readonly string[], extra: NodeJS.ProcessEnv = {}) =>
  runCli(JMP_BIN, ["shell", "--exporter-config", config, "--", ...command], { env: { ...env, ...extra } });

describe("jmp shell in local mode", () => {
  it("runs j commands against the demo exporter and cleans up", async () => {
    const on = await shell(demo, ["j", "power", "on"]);
    assert.deepEqual([on.code, on.stderr], [0, ""]);
    const greet = await shell(demo, ["j", "shell", "greet", "Ada"]);
    assert.deepEqual([greet.code, greet.stdout], [0, "Hello, Ada!\n"]);
    const read = await shell(demo, ["j", "lab", "power", "read"]);
    assert.equal(read.code, 0);
    assert.match(read.stdout, /voltage=5\.0 V {2}current=2\.0 A/);
    const help = await shell(demo, ["j", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Demo exporter with virtual devices/);
    assert.match(help.stdout, /\n {2}power +Mock power supply\n/);
    assert.match(help.stdout, /\n {2}lab +A group of devices on the lab bench\n/);
    const nested = await shell(demo, ["j", "lab", "--help"]);
    assert.match(nested.stdout, /\n {2}power +The bench power supply\n/);
    assert.deepEqual(await leftovers(), []);
  });

  it("accepts the interop exporter config and serves the reference drivers", async () => {
    const hello = await shell(join(EXAMPLES_DIR, "interop-mock.yaml"), ["j", "shell", "hello"]);
    assert.deepEqual([hello.code, hello.stdout], [0, "hello-from-shell\n"]);
    const group = await shell(join(EXAMPLES_DIR, "interop-mock.yaml"), ["j", "group", "power2", "off"]);
    assert.equal(group.code, 0, group.stderr);
  });

  it("answers GetReport and GetStatus like the reference local mode", async () => {
    const core = fileURLToPath(new URL("../../../core/dist/index.js", import.meta.url));
    const probe =
      `const { ExporterConnection, statusName, ExporterStatus } = await import(${JSON.stringify(core)});` +
      "const c = new ExporterConnection({ address: process.env.JUMPSTARTER_HOST });" +
      "const r = await c.getReport(); const s = await c.getStatus(); c.close();" +
      "console.log(JSON.stringify({ labels: r.labels, motd: r.motd, description: r.reports[0].description, status: statusName(s.status), " +
      "message: s.message, version: String(s.statusVersion), previous: statusName(s.previousStatus ?? ExporterStatus.UNSPECIFIED) }));";
    const result = await shell(join(EXAMPLES_DIR, "interop-mock.yaml"), [process.execPath, "--input-type=module", "-e", probe]);
    assert.equal(result.code, 0, result.stderr);
    const vector = JSON.parse(await readFile(fileURLToPath(new URL("../../../../../shared/vectors/get_status.json", import.meta.url)), "utf8")) as {
      calls: Array<{ responses: Array<{ json: Record<string, string> }> }>;
    };
    const status = vector.calls[1]!.responses[0]!.json;
    assert.deepEqual(JSON.parse(result.stdout), {
      labels: {},
      motd: "",
      description: "interop mock exporter",
      status: status["status"],
      message: status["message"],
      version: status["statusVersion"],
      previous: status["previousStatus"],
    });
  });

  it("gives the command the session environment and a working j on PATH", async () => {
    const result = await shell(demo, ["sh", "-c", 'echo "$JMP_DRIVERS_ALLOW $_JMP_SUPPRESS_DRIVER_WARNINGS"; test -S "$JUMPSTARTER_HOST" && echo "$JUMPSTARTER_HOST"; command -v j']);
    assert.equal(result.code, 0, result.stderr);
    const [allow, host, j] = result.stdout.trim().split("\n");
    assert.equal(allow, "UNSAFE 1");
    assert.match(host!, new RegExp(`^${runtime}/jumpstarter-[^/]+/socket$`));
    assert.match(j!, new RegExp(`^${runtime}/jumpstarter-[^/]+/bin/j$`));
  });

  it("exits with the command's exit code, 127 when not found and 126 when not executable", async () => {
    assert.equal((await shell(demo, ["sh", "-c", "exit 7"])).code, 7);
    const missing = await shell(demo, ["no-such-command-xyz"]);
    assert.deepEqual([missing.code, missing.stderr], [127, "Error: cannot run no-such-command-xyz: command not found\n"]);
    const notExecutable = await shell(demo, [demo]);
    assert.equal(notExecutable.code, 126);
    assert.match(notExecutable.stderr, /^Error: cannot run .*demo\.yaml: permission denied or not executable\n$/);
    assert.deepEqual(await leftovers(), []);
  });

  it("starts $SHELL with the motd and passes its exit code through", async () => {
    const result = await runCli(JMP_BIN, ["shell", "--exporter-config", demo], {
      env: { ...env, SHELL: "bash" },
      input: "j power on\necho done-$?\nexit 5\n",
    });
    assert.equal(result.code, 5, result.stderr);
    assert.match(result.stdout, /^Welcome to the Jumpstarter demo exporter/);
    assert.match(result.stdout, /done-0\n$/);
    const noShell = await runCli(JMP_BIN, ["shell", "--exporter-config", demo], { env: { ...env, SHELL: "/nonexistent" } });
    assert.equal(noShell.code, 127);
    assert.match(noShell.stderr, /^Error: cannot run shell \/nonexistent: command not found\n$/);
    assert.deepEqual(await leftovers(), []);
  });

  it("reports j usage errors with exit code 2", async () => {
    const unknown = await shell(demo, ["j", "nosuch"]);
    assert.deepEqual([unknown.code, unknown.stderr], [2, "Error: unknown command 'nosuch'\n"]);
    const badOption = await shell(demo, ["j", "power", "on", "--frobnicate"]);
    assert.equal(badOption.code, 2);
    assert.match(badOption.stderr, /^Error: unknown option '--frobnicate'\n$/);
  });

  it("reports bad configs as one line with file and line, leaving nothing behind", async () => {
    const malformed = await writeConfig("malformed.yaml", "export:\n  power:\n    type: [oops\n");
    const syntax = await shell(malformed, ["true"]);
    assert.equal(syntax.code, 1);
    assert.match(syntax.stderr, /^Error: .*malformed\.yaml:\d+: invalid YAML: [^\n]+\n$/);
    const wrongType = await writeConfig("wrong.yaml", "export:\n  net:\n    type: jumpstarter_driver_power.driver.MockPower\n    config:\n      bogus: 1\n");
    assert.deepEqual(await shell(wrongType, ["true"]).then((r) => [r.code, r.stderr]), [1, `Error: ${wrongType}:10 export.net.config: unknown key "bogus"\n`]);
    const unknownType = await writeConfig("unknown.yaml", "export:\n  x:\n    type: jumpstarter_driver_warp.driver.WarpDrive\n");
    const unknown = await shell(unknownType, ["true"]);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stderr, `Error: ${unknownType}:8 export.x.type: Driver 'jumpstarter_driver_warp.driver.WarpDrive' is not installed: no installed package provides it (install the npm package that does, e.g. @jumpstarter/driver-warp)\n`);
    assert.deepEqual(await leftovers(), []);
  });

  it("closes built drivers when a constructor throws, and reports close failures", async () => {
    const log = join(work, "close.log");
    await writeFile(log, "");
    const broken = await writeConfig(
      "broken.yaml",
      `export:\n  lamp:\n    type: ${fixtures}#Lamp\n    config:\n      closeLog: ${log}\n  broken:\n    type: ${fixtures}#BrokenLamp\n`,
    );
    const result = await shell(broken, ["true"]);
    assert.deepEqual([result.code, result.stderr], [1, `Error: ${broken}:11 export.broken: BrokenLamp failed to start: device /dev/lamp0 is missing\n`]);
    assert.equal(await readFile(log, "utf8"), "closed 50\n");
    const failing = await writeConfig("failing.yaml", `export:\n  lamp:\n    type: ${fixtures}#Lamp\n    config:\n      failClose: bulb stuck\n`);
    const closeResult = await shell(failing, ["true"]);
    assert.deepEqual([closeResult.code, closeResult.stderr], [1, "Error: export.lamp (Lamp) failed to close: bulb stuck\n"]);
    assert.deepEqual(await leftovers(), []);
  });

  it("lists drivers without a j client as unavailable in j --help", async () => {
    const config = await writeConfig("lamp.yaml", `export:\n  lamp:\n    type: ${fixtures}#Lamp\n  power:\n    type: jumpstarter_driver_power.driver.MockPower\n`);
    const help = await shell(config, ["j", "--help"]);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /\n {2}power +PowerClient commands\n/);
    assert.match(help.stdout, /Not available here:\n {2}lamp: unavailable, client test_lamp\.client\.LampClient is not installed\n/);
  });

  it("forwards SIGTERM to the command, closes drivers and removes the socket", async () => {
    const log = join(work, "signal-close.log");
    await writeFile(log, "");
    const pidFile = join(work, "child.pid");
    const config = await writeConfig("signal.yaml", `export:\n  lamp:\n    type: ${fixtures}#Lamp\n    config:\n      closeLog: ${log}\n`);
    const running = startCli(JMP_BIN, ["shell", "--exporter-config", config, "--", "sh", "-c", `echo $$ > ${pidFile}; echo started; exec sleep 300`], { env });
    await running.waitFor(/started/);
    const pid = Number((await readFile(pidFile, "utf8")).trim());
    running.child.kill("SIGTERM");
    const result = await running.exited;
    assert.equal(result.code, 143, result.stderr);
    assert.ok(await waitGone(pid), "the command survived jmp");
    assert.equal(await readFile(log, "utf8"), "closed 50\n");
    assert.deepEqual(await leftovers(), []);
  });
});

describe("j outside a session", () => {
  it("refuses to run without JUMPSTARTER_HOST", async () => {
    const result = await runCli(J_BIN, ["power", "on"], { env });
    assert.deepEqual([result.code, result.stderr], [1, "Error: the j command must be used inside a jmp shell: JUMPSTARTER_HOST not set\n"]);
  });

  it("says when the exporter does not answer", async () => {
    const result = await runCli(J_BIN, ["power", "on"], { env: { ...env, JUMPSTARTER_HOST: join(work, "no-such.sock") } });
    assert.deepEqual([result.code, result.stderr], [1, "Error: Exporter did not respond to initial connection\n"]);
  });
});
