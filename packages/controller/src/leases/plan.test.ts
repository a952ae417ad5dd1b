import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LeaseRecord } from "../store/store.js";
import { applyAction, LEASE_ENDED_LABEL } from "./apply.js";
import { findCondition, queuePositionOf, READY_MESSAGE } from "./conditions.js";
import { exporterRecord, leaseRecord } from "./fixtures.js";
import { planPass } from "./plan.js";
import type { LeaseAction } from "./plan.js";

const now = new Date("2030-06-01T12:00:00.000Z");
const later = (ms: number) => new Date(now.getTime() + ms);

function only(actions: readonly LeaseAction[]): LeaseAction {
  assert.equal(actions.length, 1, JSON.stringify(actions.map((a) => a.kind)));
  return actions[0] as LeaseAction;
}

function summary(action: LeaseAction): string {
  switch (action.kind) {
    case "assign":
      return `assign ${action.lease.name} ${action.exporter}`;
    case "pending":
      return `pending ${action.lease.name} ${action.reason} ${action.position}`;
    case "end":
      return `end ${action.lease.name} ${action.condition} ${action.reason}`;
  }
}

function assigned(lease: LeaseRecord, exporter: string, overrides: Partial<LeaseRecord["status"]> = {}): LeaseRecord {
  return { ...lease, status: { ...lease.status, exporterName: exporter, beginTime: now, ...overrides } };
}

describe("planPass: acquiring", () => {
  it("gives the first free, ready exporter by name and marks the lease Ready", () => {
    const exporters = [exporterRecord("e2", { board: "rpi4" }, now), exporterRecord("e1", { board: "rpi4" }, now), exporterRecord("x", { board: "x" }, now)];
    const action = only(planPass(now, exporters, [leaseRecord("l1", "board=rpi4")]).actions);
    assert.equal(summary(action), "assign l1 e1");
    const written = applyAction(action, now);
    assert.equal(written?.status.exporterName, "e1");
    assert.equal(written?.status.beginTime?.getTime(), now.getTime());
    assert.deepEqual(findCondition(written?.status.conditions ?? [], "Ready"), {
      type: "Ready", status: "True", reason: "Ready", message: READY_MESSAGE, observedGeneration: 1, lastTransitionTime: now,
    });
  });

  it("waits for a begin time in the future", () => {
    const plan = planPass(now, [exporterRecord("e1", {}, now)], [leaseRecord("l1", "a", { beginTime: later(60_000) })]);
    assert.deepEqual(plan.actions, []);
    assert.equal(plan.wakeAt?.getTime(), later(60_000).getTime());
  });

  it("marks an empty selector without exporter name Invalid", () => {
    const action = only(planPass(now, [exporterRecord("e1", {}, now)], [leaseRecord("l1", "")]).actions);
    assert.equal(summary(action), "end l1 Invalid InvalidSelector");
    const written = applyAction(action, now);
    assert.equal(written?.status.ended, true);
    assert.equal(written?.status.endTime?.getTime(), now.getTime());
    assert.equal(written?.labels[LEASE_ENDED_LABEL], "true");
    assert.equal(findCondition(written?.status.conditions ?? [], "Invalid")?.status, "True");
  });

  it("serves a lease pinned by exporter name, even without selector", () => {
    const exporters = [exporterRecord("e1", { board: "a" }, now), exporterRecord("e2", { board: "a" }, now)];
    assert.equal(summary(only(planPass(now, exporters, [leaseRecord("l1", "", { exporterName: "e2" })]).actions)), "assign l1 e2");
  });

  const pinnedFailures: [string, string, Record<string, unknown>, string][] = [
    ["an unknown exporter", "", { exporterName: "ghost" }, "ExporterNotFound"],
    ["a selector the exporter does not match", "board=b", { exporterName: "e1" }, "SelectorMismatch"],
    ["a disabled exporter", "", { exporterName: "off" }, "ExporterDisabled"],
  ];
  for (const [label, selector, overrides, reason] of pinnedFailures) {
    it(`ends a pinned lease on ${label} as Unsatisfiable ${reason}`, () => {
      const exporters = [exporterRecord("e1", { board: "a" }, now), exporterRecord("off", {}, now, { enabled: false })];
      const action = only(planPass(now, exporters, [leaseRecord("l1", selector, overrides)]).actions);
      assert.equal(summary(action), `end l1 Unsatisfiable ${reason}`);
      assert.equal(findCondition(applyAction(action, now)?.status.conditions ?? [], "Unsatisfiable")?.reason, reason);
    });
  }

  it("uses a disabled exporter when the lease allows it", () => {
    const exporters = [exporterRecord("off", { board: "a" }, now, { enabled: false })];
    assert.equal(summary(only(planPass(now, exporters, [leaseRecord("l1", "", { exporterName: "off", allowDisabled: true })]).actions)), "assign l1 off");
    assert.equal(summary(only(planPass(now, exporters, [leaseRecord("l2", "board=a", { allowDisabled: true })]).actions)), "assign l2 off");
  });

  it("skips disabled exporters and ends the lease when all matching ones are disabled", () => {
    const exporters = [exporterRecord("a", { board: "x" }, now, { enabled: false }), exporterRecord("b", { board: "x" }, now)];
    assert.equal(summary(only(planPass(now, exporters, [leaseRecord("l1", "board=x")]).actions)), "assign l1 b");
    const allOff = [exporterRecord("a", { board: "x" }, now, { enabled: false })];
    assert.equal(summary(only(planPass(now, allOff, [leaseRecord("l1", "board=x")]).actions)), "end l1 Unsatisfiable AllDisabled");
  });

  it("ends a lease whose selector matches no exporter as Unsatisfiable NoAccess", () => {
    assert.equal(summary(only(planPass(now, [exporterRecord("e1", { board: "a" }, now)], [leaseRecord("l1", "board=b")]).actions)), "end l1 Unsatisfiable NoAccess");
  });
});

describe("planPass: waiting", () => {
  const offline: [string, Parameters<typeof exporterRecord>[3]][] = [
    ["never seen", { lastSeen: null }],
    ["last seen over a minute ago", { lastSeen: new Date(now.getTime() - 61_000) }],
    ["reporting Offline", { status: "Offline" }],
    ["not registered", { devices: null }],
  ];
  for (const [label, overrides] of offline) {
    it(`keeps the lease Pending Offline when the only exporter is ${label}`, () => {
      const action = only(planPass(now, [exporterRecord("e1", { a: "1" }, now, overrides)], [leaseRecord("l1", "a=1")]).actions);
      assert.equal(summary(action), "pending l1 Offline 1");
      const condition = findCondition(applyAction(action, now)?.status.conditions ?? [], "Pending");
      assert.equal(condition?.status, "True");
      assert.equal(condition?.message, "Waiting for a matching exporter to come online (position 1 in queue)");
    });
  }

  it("keeps the lease Pending NotAvailable while another lease holds the exporter", () => {
    const holder = assigned(leaseRecord("l0", "a=1"), "e1");
    const action = planPass(now, [exporterRecord("e1", { a: "1" }, now, { leaseRef: "l0" })], [holder, leaseRecord("l1", "a=1")]).actions;
    assert.deepEqual(action.map(summary), ["pending l1 NotAvailable 1"]);
    assert.equal(action[0]?.kind === "pending" && action[0].message, "Waiting for a matching exporter (position 1 in queue)");
  });

  for (const status of ["LeaseReady", "BeforeLeaseHook", "AfterLeaseHook", "AfterLeaseHookFailed"] as const) {
    it(`keeps the lease Pending NotReady while the free exporter is ${status}`, () => {
      const action = only(planPass(now, [exporterRecord("e1", { a: "1" }, now, { status })], [leaseRecord("l1", "a=1")]).actions);
      assert.equal(summary(action), "pending l1 NotReady 1");
    });
  }

  it("takes an exporter in status Unspecified", () => {
    assert.equal(summary(only(planPass(now, [exporterRecord("e1", { a: "1" }, now, { status: "Unspecified" })], [leaseRecord("l1", "a=1")]).actions)), "assign l1 e1");
  });

  it("numbers competing waiting leases in creation order, per set of matching exporters", () => {
    const exporters = [
      exporterRecord("e1", { pool: "a" }, now, { leaseRef: "h1" }),
      exporterRecord("e2", { pool: "b" }, now, { leaseRef: "h2" }),
    ];
    const leases = [
      assigned(leaseRecord("h1", "pool=a"), "e1"),
      assigned(leaseRecord("h2", "pool=b"), "e2"),
      leaseRecord("a1", "pool=a"),
      leaseRecord("b1", "pool=b"),
      leaseRecord("a2", "pool=a"),
      leaseRecord("any", "pool in (a,b)"),
      leaseRecord("b2", "pool=b"),
    ];
    const actions = planPass(now, exporters, leases).actions;
    assert.deepEqual(actions.map(summary), [
      "pending a1 NotAvailable 1",
      "pending b1 NotAvailable 1",
      "pending a2 NotAvailable 2",
      "pending any NotAvailable 4",
      "pending b2 NotAvailable 3",
    ]);
    const any = actions[3];
    assert.equal(any?.kind === "pending" && queuePositionOf(any.message), 4);
  });

  it("gives a freed exporter to the oldest waiting lease that matches it", () => {
    const exporters = [exporterRecord("e1", { pool: "a" }, now), exporterRecord("e2", { pool: "b" }, now, { leaseRef: "h2" })];
    const leases = [
      assigned(leaseRecord("h2", "pool=b"), "e2"),
      leaseRecord("onlyB", "pool=b"),
      leaseRecord("old", "pool in (a,b)"),
      leaseRecord("new", "pool=a"),
    ];
    assert.deepEqual(planPass(now, exporters, leases).actions.map(summary), [
      "pending onlyB NotAvailable 1",
      "assign old e1",
      "pending new NotAvailable 1",
    ]);
  });

  it("does not rewrite an unchanged Pending condition and keeps its transition time when the message changes", () => {
    const lease = leaseRecord("l1", "a=1");
    const exporters = [exporterRecord("e1", { a: "1" }, now, { lastSeen: null })];
    const first = applyAction(only(planPass(now, exporters, [lease]).actions), now);
    assert.ok(first);
    assert.equal(applyAction(only(planPass(later(1000), exporters, [first]).actions), later(1000)), undefined);
    const moved = applyAction(only(planPass(later(2000), [{ ...exporters[0]!, lastSeen: later(2000), status: "LeaseReady" }], [first]).actions), later(2000));
    const pending = findCondition(moved?.status.conditions ?? [], "Pending");
    assert.equal(pending?.reason, "NotReady");
    assert.equal(pending?.lastTransitionTime.getTime(), now.getTime());
  });
});

describe("planPass: ending", () => {
  it("ends a released active lease as Ready=False Released", () => {
    const lease = assigned(leaseRecord("l1", "a=1"), "e1");
    const action = only(planPass(now, [], [{ ...lease, spec: { ...lease.spec, release: true } }]).actions);
    assert.equal(summary(action), "end l1 Ready Released");
    const ready = findCondition(applyAction(action, now)?.status.conditions ?? [], "Ready");
    assert.equal(ready?.status, "False");
    assert.equal(ready?.reason, "Released");
  });

  it("ends a released waiting lease", () => {
    const lease = leaseRecord("l1", "a=1");
    assert.equal(summary(only(planPass(now, [], [{ ...lease, spec: { ...lease.spec, release: true } }]).actions)), "end l1 Ready Released");
  });

  it("expires at status.beginTime + duration and wakes up then", () => {
    const lease = assigned(leaseRecord("l1", "a=1", { durationMs: 60_000 }), "e1", { beginTime: new Date(now.getTime() - 30_000) });
    const plan = planPass(now, [], [lease]);
    assert.deepEqual(plan.actions, []);
    assert.equal(plan.wakeAt?.getTime(), later(30_000).getTime());
    assert.equal(summary(only(planPass(later(30_000), [], [lease]).actions)), "end l1 Ready Expired");
  });

  it("prefers spec.endTime, then spec.beginTime + duration, for expiry", () => {
    const byEnd = assigned(leaseRecord("a", "a=1", { beginTime: new Date(now.getTime() - 10_000), endTime: later(5_000) }), "e1");
    assert.equal(planPass(now, [], [byEnd]).wakeAt?.getTime(), later(5_000).getTime());
    const byBegin = assigned(leaseRecord("b", "a=1", { beginTime: new Date(now.getTime() - 50_000), durationMs: 60_000 }), "e1", { beginTime: now });
    assert.equal(planPass(now, [], [byBegin]).wakeAt?.getTime(), later(10_000).getTime());
  });

  it("expires a waiting lease whose end time has passed", () => {
    const lease = leaseRecord("l1", "a=1", { beginTime: new Date(now.getTime() - 120_000), endTime: new Date(now.getTime() - 60_000) });
    assert.equal(summary(only(planPass(now, [exporterRecord("e1", { a: "1" }, now, { status: "LeaseReady" })], [lease]).actions)), "end l1 Ready Expired");
  });
});
