import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import type { DriverInstanceReport } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import { GetReportResponseSchema } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import { CLIENT_LABEL, NAME_LABEL } from "../driver/driver.js";
import { Code, JumpstarterError } from "../errors.js";
import { decodeVectorMessage, loadVector, vectorCalls } from "../testing/vectors.js";
import { emptyAllowlist, unsafeAllowlist } from "./allowlist.js";
import { ExporterConnection } from "./connection.js";
import { DriverClient } from "./driver-client.js";
import { registerClientClass } from "./registry.js";
import { StubDriverClient } from "./stub-client.js";
import { buildClientTree } from "./tree.js";

const vector = loadVector("get_report");
const report = decodeVectorMessage(GetReportResponseSchema, vectorCalls(vector, "GetReport")[0]!.responses[0]!);
const uuids = vector["driver_uuids"] as Record<string, string>;
/** Channels connect lazily: building a tree never dials this address. */
const connection = new ExporterConnection({ address: "unix:/nonexistent/jumpstarter-tree-test" });
after(() => connection.close());

class RegisteredPowerClient extends DriverClient {}

function entry(uuid: string, name: string | undefined, parentUuid?: string): DriverInstanceReport {
  return {
    $typeName: "jumpstarter.v1.DriverInstanceReport",
    uuid,
    ...(parentUuid !== undefined ? { parentUuid } : {}),
    labels: { [CLIENT_LABEL]: `pkg.${name ?? "root"}.Client`, ...(name !== undefined ? { [NAME_LABEL]: name } : {}) },
    methodsDescription: {},
  } as DriverInstanceReport;
}

describe("client tree from the reference GetReport", () => {
  it("has the reference's shape: root composite, children by name, nested group", () => {
    const root = buildClientTree(report, connection, { allowlist: unsafeAllowlist, genericFallback: true });
    assert.equal(root.uuid, uuids["root"]);
    assert.equal(root.clientLabel, "jumpstarter_driver_composite.client.CompositeClient");
    assert.equal(root.description, "interop mock exporter");
    assert.deepEqual(Object.keys(root.children), ["power", "tcp", "shell", "group"]);
    for (const name of ["power", "tcp", "shell", "group"]) assert.equal(root.children[name]!.uuid, uuids[name]);
    const group = root.children["group"]!;
    assert.deepEqual(Object.keys(group.children), ["power2"]);
    assert.equal(group.children["power2"]!.uuid, uuids["group.power2"]);
    assert.equal(group.children["power2"]!.labels[NAME_LABEL], "power2");
    assert.equal(root.children["power"]!.clientLabel, "jumpstarter_driver_power.client.PowerClient");
    assert.deepEqual(root.children["shell"]!.methodsDescription, { greet: "echo the first argument" });
    assert.deepEqual(Object.keys(root.children["power"]!.children), []);
  });

  it("makes every client a stub under the default (empty) allowlist", async () => {
    const root = buildClientTree(report, connection, { allowlist: emptyAllowlist });
    const all = [root, ...Object.values(root.children), ...Object.values(root.children["group"]!.children)];
    assert.equal(all.length, 6);
    for (const client of all) {
      assert.ok(client instanceof StubDriverClient);
      assert.equal(client.reason, "not-allowed");
    }
    const power = root.children["power"] as StubDriverClient;
    assert.match(power.unavailableMessage, /^Driver client 'jumpstarter_driver_power\.client\.PowerClient' is not available/);
    assert.match(power.unavailableMessage, /JMP_DRIVERS_ALLOW/);
    await assert.rejects(power.call("on"), (error: unknown) => {
      assert.ok(error instanceof JumpstarterError);
      assert.equal(error.code, Code.FAILED_PRECONDITION);
      assert.equal(error.message, power.unavailableMessage);
      return true;
    });
    await assert.rejects(power.streamingCall("read").next(), { message: power.unavailableMessage });
    await assert.rejects(power.stream(), { message: power.unavailableMessage });
    assert.equal(power.uuid, uuids["power"], "a stub still knows its place in the tree");
  });

  it("uses registered classes for allowed labels and stubs for allowed labels nobody provides", () => {
    registerClientClass("jumpstarter_driver_power.client.PowerClient", RegisteredPowerClient);
    const root = buildClientTree(report, connection, { allowlist: { allow: ["jumpstarter_driver_power.*"], unsafe: false } });
    assert.ok(root.children["power"] instanceof RegisteredPowerClient);
    assert.ok(root.children["group"]!.children["power2"] instanceof RegisteredPowerClient);
    const tcp = root.children["tcp"] as StubDriverClient;
    assert.equal(tcp.reason, "not-allowed");
    const unsafe = buildClientTree(report, connection, { allowlist: unsafeAllowlist });
    const shell = unsafe.children["shell"] as StubDriverClient;
    assert.ok(shell instanceof StubDriverClient);
    assert.equal(shell.reason, "not-installed");
    assert.match(shell.unavailableMessage, /^Driver client 'jumpstarter_driver_shell\.client\.ShellClient' is not available: no installed package/);
  });

  it("builds the root with rootClass regardless of the allowlist", () => {
    class Mine extends DriverClient {}
    const root = buildClientTree(report, connection, { allowlist: emptyAllowlist, rootClass: Mine });
    assert.ok(root instanceof Mine);
    assert.ok(root.children["power"] instanceof StubDriverClient);
  });
});

describe("client tree edge cases", () => {
  const reportOf = (...reports: DriverInstanceReport[]) => create(GetReportResponseSchema, { uuid: "exporter", reports });

  it("refuses a report whose child precedes its parent, naming both", () => {
    const broken = reportOf(entry("r", undefined), entry("c", "child", "p"), entry("p", "parent", "r"));
    assert.throws(
      () => buildClientTree(broken, connection, { allowlist: unsafeAllowlist, genericFallback: true }),
      (error: unknown) => error instanceof JumpstarterError && /report entry c names parent p, which was not reported before it/.test(error.message),
    );
  });

  it("refuses an empty report", () => {
    assert.throws(() => buildClientTree(reportOf(), connection, { allowlist: unsafeAllowlist }), /no drivers/);
  });

  it("keys proxies (the same uuid twice) by report index, children going to the latest", () => {
    const proxied = reportOf(entry("r", undefined), entry("x", "real", "r"), entry("x", "alias", "r"), entry("c", "child", "x"));
    const root = buildClientTree(proxied, connection, { allowlist: unsafeAllowlist, genericFallback: true });
    const real = root.children["real"]!;
    const alias = root.children["alias"]!;
    assert.notEqual(real, alias);
    assert.equal(real.uuid, "x");
    assert.equal(alias.uuid, "x");
    assert.deepEqual(Object.keys(alias.children), ["child"]);
    assert.deepEqual(Object.keys(real.children), []);
  });
});
