import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { CLIENT_LABEL, ExporterSession, NAME_LABEL } from "@jumpstarter/core";
import { loadExporterConfigFile, parseExporterConfig } from "../config/load.js";
import { ConfigError } from "../errors.js";
import { buildDriverTree } from "./build-tree.js";
import { describeCloseFailure } from "./close-failure.js";

const fixtures = fileURLToPath(new URL("../testing/fixture-drivers.js", import.meta.url));
const examples = fileURLToPath(new URL("../../../../examples/", import.meta.url));
const vectors = fileURLToPath(new URL("../../../../../shared/vectors/", import.meta.url));
const head = "apiVersion: jumpstarter.dev/v1alpha1\nkind: ExporterConfig\nmetadata:\n  namespace: default\n  name: lab\n";

let dir = "";
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "jmp-tree-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function tree(body: string, file = "lab.yaml") {
  return { ...parseExporterConfig(`${head}${body}`, file), directory: dir };
}

async function buildError(body: string): Promise<ConfigError> {
  try {
    await buildDriverTree(tree(body));
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail("the tree was built");
}

describe("driver tree from an exporter config", () => {
  it("builds the reference report for exporter-mock.yaml", async () => {
    const loaded = await loadExporterConfigFile(join(examples, "interop-mock.yaml"));
    const root = await buildDriverTree(loaded);
    const session = new ExporterSession({ root });
    try {
      const ours = session.report().reports.map((entry) => ({ labels: entry.labels, description: entry.description, methods: entry.methodsDescription, parent: entry.parentUuid !== undefined }));
      const vector = JSON.parse(await readFile(join(vectors, "get_report.json"), "utf8")) as {
        calls: Array<{ responses: Array<{ json: { reports: Array<{ labels: Record<string, string>; description?: string; methodsDescription?: Record<string, string>; parentUuid?: string }> } }> }>;
      };
      const theirs = vector.calls[0]!.responses[0]!.json.reports.map((entry) => ({
        labels: entry.labels,
        description: entry.description,
        methods: entry.methodsDescription ?? {},
        parent: entry.parentUuid !== undefined,
      }));
      assert.deepEqual(ours, theirs);
    } finally {
      await session.close();
    }
  });

  it("loads drivers from a local file, relative to the config, and from npm: packages", async () => {
    const relativePath = relative(dir, fixtures);
    const root = await buildDriverTree(
      tree(
        `export:\n  rel:\n    type: ${relativePath}#Lamp\n    config:\n      brightness: 7\n  abs:\n    type: ${fixtures}#Lamp\n` +
          `  url:\n    type: file://${fixtures}#Lamp\n  pkg:\n    type: npm:@jumpstarter/driver-composite/driver#Composite\n    description: grouped\n`,
      ),
    );
    try {
      assert.deepEqual(Object.keys(root.children), ["rel", "abs", "url", "pkg"]);
      assert.equal((root.children["rel"] as unknown as { config: { brightness: number } }).config.brightness, 7);
      assert.equal((root.children["abs"] as unknown as { config: { brightness: number } }).config.brightness, 50);
      assert.equal(root.children["pkg"]!.description, "grouped");
      assert.equal(root.children["rel"]!.report(root, "rel").labels[CLIENT_LABEL], "test_lamp.client.LampClient");
    } finally {
      await root.close();
    }
  });

  it("finds reference names in the manifest of any package installed next to the config", async () => {
    const pkg = join(dir, "node_modules", "acme-lamp");
    await mkdir(pkg, { recursive: true });
    await writeFile(
      join(pkg, "package.json"),
      JSON.stringify({
        name: "acme-lamp",
        type: "module",
        exports: { ".": "./index.js", "./driver": { import: "./driver.js" } },
        jumpstarter: { drivers: { "acme_lamp.driver.Lamp": "./driver#Lamp" } },
      }),
    );
    await writeFile(join(pkg, "driver.js"), `export { Lamp } from ${JSON.stringify(fixtures)};\n`);
    const root = await buildDriverTree(
      tree("export:\n  dotted:\n    type: acme_lamp.driver.Lamp\n    config:\n      brightness: 3\n  npm:\n    type: npm:acme-lamp/driver#Lamp\n"),
    );
    try {
      assert.equal((root.children["dotted"] as unknown as { config: { brightness: number } }).config.brightness, 3);
      assert.equal(root.children["npm"]!.constructor.name, "Lamp");
    } finally {
      await root.close();
    }
  });

  it("explains a type nobody provides, with a package guess", async () => {
    const error = await buildError("export:\n  power:\n    type: jumpstarter_driver_foo_bar.driver.Foo\n");
    assert.equal(
      error.message,
      "lab.yaml:8 export.power.type: Driver 'jumpstarter_driver_foo_bar.driver.Foo' is not installed: no installed package provides it (install the npm package that does, e.g. @jumpstarter/driver-foo-bar)",
    );
    assert.match((await buildError(`export:\n  x:\n    type: ${fixtures}#notADriver\n`)).message, /export\.x\.type: '.*#notADriver' is not a driver class/);
    assert.match((await buildError(`export:\n  x:\n    type: ${fixtures}#Nope\n`)).message, /has no export named Nope \(it exports .*Lamp/);
    assert.match((await buildError("export:\n  x:\n    type: ./missing.js#Lamp\n")).message, /^lab\.yaml:8 export\.x\.type: Driver '\.\/missing\.js#Lamp': file .* does not exist$/);
    assert.match((await buildError("export:\n  x:\n    type: npm:no-such-package-here#X\n")).message, /npm package no-such-package-here was not found/);
  });

  it("validates config against the driver's schema with the line of the value", async () => {
    const error = await buildError(`export:\n  lamp:\n    type: ${fixtures}#Lamp\n    config:\n      brightness: bright\n`);
    assert.equal(error.message, "lab.yaml:10 export.lamp.config.brightness: expected a number");
    const unknown = await buildError(`export:\n  group:\n    children:\n      lamp:\n        type: ${fixtures}#Lamp\n        config:\n          colour: red\n`);
    assert.equal(unknown.message, 'lab.yaml:12 export.group.children.lamp.config: unknown key "colour"');
    const range = await buildError(`export:\n  lamp:\n    type: ${fixtures}#Lamp\n    config:\n      brightness: 101\n`);
    assert.equal(range.message, "lab.yaml:10 export.lamp.config.brightness: must be at most 100");
  });

  it("names the entry whose constructor throws and closes the drivers already built", async () => {
    const log = join(dir, "closed.log");
    await writeFile(log, "");
    const error = await buildError(
      `export:\n  first:\n    type: ${fixtures}#Lamp\n    config:\n      brightness: 1\n      closeLog: ${log}\n` +
        `  group:\n    children:\n      second:\n        type: ${fixtures}#Lamp\n        config:\n          brightness: 2\n          closeLog: ${log}\n` +
        `      broken:\n        type: ${fixtures}#BrokenLamp\n        config:\n          device: /dev/lamp9\n  never:\n    type: ${fixtures}#Lamp\n    config:\n      closeLog: ${log}\n`,
    );
    assert.equal(error.message, "lab.yaml:19 export.group.children.broken: BrokenLamp failed to start: device /dev/lamp9 is missing");
    assert.deepEqual((await readFile(log, "utf8")).trim().split("\n").sort(), ["closed 1", "closed 2"]);
  });

  it("binds proxies after the tree is built and rejects dangling refs", async () => {
    const root = await buildDriverTree(tree(`export:\n  alias:\n    ref: group.lamp\n  group:\n    children:\n      lamp:\n        type: ${fixtures}#Lamp\n`));
    const session = new ExporterSession({ root });
    try {
      const reports = session.report().reports;
      const alias = reports.find((entry) => entry.labels[NAME_LABEL] === "alias")!;
      const lamp = reports.find((entry) => entry.labels[NAME_LABEL] === "lamp")!;
      assert.equal(alias.uuid, lamp.uuid);
      assert.equal(alias.parentUuid, root.uuid);
    } finally {
      await session.close();
    }
    const dangling = await buildError(`export:\n  group:\n    children:\n      alias:\n        ref: nowhere\n`);
    assert.equal(dangling.message, "lab.yaml:10 export.group.children.alias.ref: Proxy driver group.alias references nonexistent driver nowhere");
  });

  it("names every driver whose close fails", async () => {
    const root = await buildDriverTree(
      tree(`export:\n  a:\n    type: ${fixtures}#Lamp\n    config:\n      failClose: bulb stuck\n  g:\n    children:\n      b:\n        type: ${fixtures}#Lamp\n        config:\n          failClose: socket jammed\n`),
    );
    const failure = await root.close().then(
      () => assert.fail("close succeeded"),
      (error: unknown) => error,
    );
    assert.equal(describeCloseFailure(failure), "export.g.children.b (Lamp) failed to close: socket jammed; export.a (Lamp) failed to close: bulb stuck");
  });
});
