import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ExporterSchema, LeaseSchema } from "@jumpstarter/protocol/gen/jumpstarter/client/v1/client_pb";
import { ExporterStatus } from "@jumpstarter/core";
import { queuePosition } from "./acquire.js";
import { exporterListJson, exporterTable, exporterView, leaseJson, leaseState, leaseTable, leaseView, statusText } from "./lease-view.js";

const begin = new Date("2026-05-01T10:00:00Z");
const active = create(LeaseSchema, {
  name: "namespaces/lab/leases/0193-lease",
  selector: "board=rpi",
  duration: durationFromMs(1_800_000),
  effectiveDuration: durationFromMs(60_000),
  effectiveBeginTime: timestampFromDate(begin),
  client: "namespaces/lab/clients/alice",
  exporter: "namespaces/lab/exporters/rpi-1",
  conditions: [
    { type: "Pending", status: "True", observedGeneration: 1n, lastTransitionTime: { seconds: 1777629500n, nanos: 0 }, reason: "NotAvailable", message: "waiting" },
    { type: "Ready", status: "True", observedGeneration: 1n, lastTransitionTime: { seconds: 1777629600n, nanos: 0 }, reason: "Ready", message: "An exporter has been acquired for the client" },
  ],
  tags: { team: "qa" },
});

describe("lease and exporter views", () => {
  it("gives the reference JSON shape: bare names, float seconds, proto-JSON conditions", () => {
    const json = leaseJson(leaseView(active));
    assert.deepEqual(Object.keys(json), [
      "namespace", "name", "selector", "exporter_name", "tags", "context", "duration", "effective_duration", "begin_time",
      "client", "exporter", "conditions", "effective_begin_time", "effective_end_time", "deprecated_labels",
    ]);
    assert.deepEqual([json["namespace"], json["name"], json["client"], json["exporter"]], ["lab", "0193-lease", "alice", "rpi-1"]);
    assert.deepEqual([json["duration"], json["effective_duration"], json["begin_time"], json["effective_end_time"]], [1800, 60, null, null]);
    assert.equal(json["effective_begin_time"], "2026-05-01T10:00:00.000Z");
    assert.deepEqual((json["conditions"] as unknown[])[1], {
      type: "Ready",
      status: "True",
      observedGeneration: "1",
      lastTransitionTime: { seconds: "1777629600", nanos: 0 },
      reason: "Ready",
      message: "An exporter has been acquired for the client",
    });
    assert.throws(() => leaseView(create(LeaseSchema, { name: "leases/x" })), { message: /malformed lease name/ });
  });

  it("prints the lease table with expiry and remaining time", () => {
    const view = leaseView(active);
    assert.equal(leaseState(view), "In-Use");
    const table = leaseTable([view], new Date(begin.getTime() + 60_000)).split("\n");
    assert.match(table[0]!, /^NAME\s+SELECTOR\s+EXPIRES AT\s+REMAINING\s+CLIENT\s+EXPORTER\s+TAGS$/);
    assert.match(table[1]!, /^0193-lease\s+board=rpi\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+29m\s+alice\s+rpi-1\s+team=qa$/);
    assert.equal(leaseTable([]), "No resources found.\n");
  });

  it("lists exporters with the optional columns and JSON fields of --with", () => {
    const exporter = exporterView(
      create(ExporterSchema, { name: "namespaces/lab/exporters/rpi-1", labels: { z: "1", board: "rpi" }, online: true, status: ExporterStatus.LEASE_READY }),
    );
    exporter.lease = leaseView(active);
    const none = { online: false, status: false, leases: false, enabled: false };
    assert.equal(exporterTable([exporter], none), "NAME    LABELS\nrpi-1   board=rpi,z=1\n");
    const all = { online: true, status: true, leases: true, enabled: false };
    const lines = exporterTable([exporter], all).split("\n");
    assert.match(lines[0]!, /^NAME\s+ONLINE\s+STATUS\s+LABELS\s+LEASED BY\s+LEASE STATUS\s+RELEASE TIME$/);
    assert.match(lines[1]!, /^rpi-1\s+yes\s+LeaseReady\s+board=rpi,z=1\s+alice\s+In-Use\s+\d{4}-/);
    assert.deepEqual(Object.keys((exporterListJson([exporter], none)["exporters"] as object[])[0]!), ["namespace", "name", "labels", "deprecated_labels"]);
    const full = (exporterListJson([exporter], all)["exporters"] as Array<Record<string, unknown>>)[0]!;
    assert.deepEqual([full["online"], full["status"], (full["lease"] as { name: string }).name], [true, 4, "0193-lease"]);
    assert.equal(statusText(ExporterStatus.BEFORE_LEASE_HOOK_FAILED), "BeforeLeaseHookFailed");
  });

  it("reads the queue position from a Pending message", () => {
    assert.equal(queuePosition("waiting for an exporter (position 3 in queue)"), 3);
    assert.equal(queuePosition("no exporter online"), undefined);
  });
});
