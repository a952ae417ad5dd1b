import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ConfigError } from "../errors.js";
import { loadExporterConfigAlias, loadExporterConfigFile, parseExporterConfig } from "./load.js";
import { exporterAliasCandidates, validateAlias } from "./paths.js";

const examples = fileURLToPath(new URL("../../../../examples/", import.meta.url));

function configError(text: string): ConfigError {
  try {
    parseExporterConfig(text, "lab.yaml");
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail("the config was accepted");
}

const head = "apiVersion: jumpstarter.dev/v1alpha1\nkind: ExporterConfig\nmetadata:\n  namespace: default\n  name: lab\n";

describe("ExporterConfig loading", () => {
  it("accepts the vectors' exporter-mock.yaml unchanged", async () => {
    const { config } = await loadExporterConfigFile(join(examples, "interop-mock.yaml"));
    assert.equal(config.metadata.name, "interop-mock");
    assert.equal(config.description, "interop mock exporter");
    assert.deepEqual(Object.keys(config.export), ["power", "tcp", "shell", "group"]);
    const tcp = config.export["tcp"]!;
    assert.equal(tcp.kind, "driver");
    assert.deepEqual(tcp.kind === "driver" && tcp.config, { host: "127.0.0.1", port: 19007 });
    const group = config.export["group"]!;
    assert.ok(group.kind === "driver" && group.children["power2"]?.kind === "driver");
    assert.equal(config.endpoint, "");
    assert.deepEqual(config.hooks, {});
    assert.equal(config.exitOnLeaseEnd, false);
    assert.deepEqual(config.failureDetection, { maxRapidFailures: 5, rapidFailureWindow: 60 });
  });

  it("fills defaults and reads every documented key", () => {
    const { config } = parseExporterConfig(
      `${head}endpoint: ctl.example.com:443\ntoken: abc\ntls:\n  ca: Zm9v\n  insecure: true\ngrpcOptions:\n  grpc.keepalive_time_ms: 1000\n` +
        `description: bench\nmotd: hello\nfailureDetection:\n  maxRapidFailures: 3\nexitOnLeaseEnd: true\nunknownTopLevel: ignored\n` +
        `hooks:\n  before_lease:\n    script: echo hi\n    on_failure: endLease\n  afterLease:\n    script: ./after.sh\n    exec: /bin/bash\n    timeout: 5\n` +
        `export:\n  g:\n    children:\n      p:\n        ref: g.q\n      q:\n        type: x.y.Z\n        description: Q\n        methods_description:\n          on: switch on\n`,
      "lab.yaml",
    );
    assert.equal(config.endpoint, "ctl.example.com:443");
    assert.deepEqual(config.tls, { ca: "Zm9v", insecure: true });
    assert.deepEqual(config.grpcOptions, { "grpc.keepalive_time_ms": 1000 });
    assert.equal(config.motd, "hello");
    assert.deepEqual(config.failureDetection, { maxRapidFailures: 3, rapidFailureWindow: 60 });
    assert.equal(config.exitOnLeaseEnd, true);
    assert.deepEqual(config.hooks.beforeLease, { script: "echo hi", timeout: 120, onFailure: "endLease" });
    assert.deepEqual(config.hooks.afterLease, { script: "./after.sh", exec: "/bin/bash", timeout: 5, onFailure: "warn" });
    const group = config.export["g"]!;
    assert.equal(group.kind, "composite");
    const children = group.kind === "composite" ? group.children : {};
    assert.deepEqual(children["p"], { kind: "proxy", ref: "g.q", path: ["export", "g", "children", "p"] });
    assert.equal(children["q"]?.kind === "driver" && children["q"].methodsDescription["on"], "switch on");
  });

  it("names file, line and key path of a wrong type", () => {
    const error = configError(`${head}export:\n  power:\n    type: a.b.C\n    config:\n      port: 12\n  tcp:\n    type: [1]\n`);
    assert.equal(error.message, "lab.yaml:12 export.tcp.type: expected a driver type name");
    const top = configError(`${head}exitOnLeaseEnd: "yes"\n`);
    assert.equal(top.message, "lab.yaml:6 exitOnLeaseEnd: expected true or false");
  });

  it("reports malformed YAML with its line", () => {
    const error = configError(`${head}export:\n  power:\n    type: "unterminated\n`);
    assert.equal(error.location.file, "lab.yaml");
    assert.ok(error.location.line !== undefined && error.location.line >= 8, `line ${error.location.line}`);
    assert.match(error.message, /^lab\.yaml:\d+: invalid YAML: /);
    assert.match(configError(`${head}metadata:\n  name: again\n`).message, /^lab\.yaml:6: invalid YAML: Map keys must be unique/);
  });

  it("rejects unknown keys inside entries and hooks, pointing at the key", () => {
    const entry = configError(`${head}export:\n  power:\n    type: a.b.C\n    confg:\n      x: 1\n`);
    assert.equal(entry.message, 'lab.yaml:9 export.power: unknown key "confg" in a driver entry (allowed: type, config, children, description, methods_description)');
    const proxy = configError(`${head}export:\n  alias:\n    ref: power\n    children: {}\n`);
    assert.match(proxy.message, /^lab\.yaml:9 export\.alias: unknown key "children" in a proxy entry/);
    const hook = configError(`${head}hooks:\n  afterLease:\n    script: x\n    timout: 3\n`);
    assert.equal(hook.message, 'lab.yaml:9 hooks.afterLease: unknown key "timout"');
  });

  it("requires metadata and checks enums and literals", () => {
    assert.equal(configError("kind: ExporterConfig\n").message, "lab.yaml:1 metadata: is required");
    assert.equal(configError(`${head}hooks:\n  beforeLease:\n    script: x\n    onFailure: panic\n`).message, 'lab.yaml:9 hooks.beforeLease.onFailure: expected one of "warn", "endLease", "exit"');
    assert.equal(configError(`kind: ClientConfig\nmetadata: {namespace: a, name: b}\n`).message, 'lab.yaml:1 kind: expected "ExporterConfig"');
    assert.equal(configError("- a\n- b\n").message, "lab.yaml:1: expected a mapping (an ExporterConfig document)");
  });

  it("counts further problems", () => {
    const error = configError(`${head}export:\n  a:\n    type: 1\n  b:\n    type: 2\n  c:\n    type: 3\n`);
    assert.match(error.message, /^lab\.yaml:8 export\.a\.type: expected a driver type name \(and 2 more problems\)$/);
  });
});

describe("exporter config aliases", () => {
  it("validates aliases", () => {
    for (const bad of ["", ".", "..", "a/b", "a\\b"]) assert.throws(() => validateAlias(bad), { exitCode: 2 });
    assert.equal(validateAlias("lab-1"), "lab-1");
  });

  it("looks in JMP_CLIENT_CONFIG_HOME, then XDG_CONFIG_HOME, then the system directory", async () => {
    assert.deepEqual(exporterAliasCandidates("lab", { JMP_CLIENT_CONFIG_HOME: "/c" }), ["/c/exporters/lab.yaml", "/etc/jumpstarter/exporters/lab.yaml"]);
    assert.equal(exporterAliasCandidates("lab", { XDG_CONFIG_HOME: "/x" })[0], "/x/jumpstarter/exporters/lab.yaml");
    const home = await mkdtemp(join(tmpdir(), "jmp-alias-"));
    try {
      const system = join(home, "system");
      await mkdir(system);
      const text = await readFile(join(examples, "interop-mock.yaml"), "utf8");
      await writeFile(join(system, "lab.yaml"), text);
      const env = { JMP_CLIENT_CONFIG_HOME: join(home, "user") };
      assert.equal((await loadExporterConfigAlias("lab", env, system)).path, join(system, "lab.yaml"));
      await mkdir(join(home, "user", "exporters"), { recursive: true });
      await writeFile(join(home, "user", "exporters", "lab.yaml"), text.replace("interop-mock", "user-copy"));
      const user = await loadExporterConfigAlias("lab", env, system);
      assert.equal(user.config.metadata.name, "user-copy");
      assert.equal(user.alias, "lab");
      await assert.rejects(loadExporterConfigAlias("missing", env, system), /exporter config "missing" not found/);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
