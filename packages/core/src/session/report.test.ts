import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { GetReportResponseSchema } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import type { DriverOptions } from "../driver/driver.js";
import { Driver } from "../driver/driver.js";
import { decodeVectorMessage, loadVector, vectorCalls } from "../testing/vectors.js";
import { ExporterSession } from "./session.js";

/** A driver reporting a fixed client label, standing in for the reference's classes. */
function driverFor(label: string) {
  return class extends Driver {
    constructor(options: DriverOptions = {}) {
      super(options);
    }
    client() {
      return label;
    }
  };
}
const Composite = driverFor("jumpstarter_driver_composite.client.CompositeClient");
const MockPower = driverFor("jumpstarter_driver_power.client.PowerClient");
const TcpNetwork = driverFor("jumpstarter_driver_network.client.NetworkClient");
const Shell = driverFor("jumpstarter_driver_shell.client.ShellClient");

/** A proxy: reports its target's identity under its own name. */
class Proxy extends Driver {
  constructor(readonly target: Driver) {
    super();
  }
  client() {
    return this.target.client();
  }
  override resolve(): Driver {
    return this.target.resolve();
  }
}

describe("GetReport", () => {
  it("reports the reference's tree for the vectors' exporter config", () => {
    const power = new MockPower();
    const tcp = new TcpNetwork();
    const shell = new Shell({ methodsDescription: { greet: "echo the first argument" } });
    const power2 = new MockPower();
    const group = new Composite({ children: { power2 } });
    const root = new Composite({ description: "interop mock exporter", children: { power, tcp, shell, group } });
    const session = new ExporterSession({ root });
    const ours = session.report();

    const reference = decodeVectorMessage(GetReportResponseSchema, vectorCalls(loadVector("get_report"), "GetReport")[0]!.responses[0]!);
    const ids = loadVector("get_report")["driver_uuids"] as Record<string, string>;
    const rename = new Map([
      [session.uuid, reference.uuid],
      [root.uuid, ids["root"]!],
      [power.uuid, ids["power"]!],
      [tcp.uuid, ids["tcp"]!],
      [shell.uuid, ids["shell"]!],
      [group.uuid, ids["group"]!],
      [power2.uuid, ids["group.power2"]!],
    ]);
    const renamed = create(GetReportResponseSchema, {
      ...ours,
      uuid: rename.get(ours.uuid)!,
      reports: ours.reports.map((entry) => ({
        ...entry,
        uuid: rename.get(entry.uuid)!,
        ...(entry.parentUuid !== undefined ? { parentUuid: rename.get(entry.parentUuid)! } : {}),
      })),
    });
    assert.deepEqual(renamed, reference);
    assert.equal(toBinary(GetReportResponseSchema, renamed).length, toBinary(GetReportResponseSchema, reference).length);
    assert.notEqual(session.uuid, root.uuid, "the exporter uuid is not the root driver's");
  });

  it("reports a proxy with its target's uuid under its own name, and routes calls to the target", () => {
    const power = new MockPower();
    const root = new Composite({ children: { power, alias: new Proxy(power) } });
    const session = new ExporterSession({ root });
    const reports = session.report().reports;
    assert.deepEqual(
      reports.map((entry) => [entry.uuid, entry.labels["jumpstarter.dev/name"] ?? null]),
      [
        [root.uuid, null],
        [power.uuid, "power"],
        [power.uuid, "alias"],
      ],
    );
    assert.equal(session.driver(power.uuid), power);
  });
});
