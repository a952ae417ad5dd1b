import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openStore } from "../store/open-store.js";
import { leaseLabels, leaseTagsError, newLeaseRecord, requestLeaseRelease } from "./new-lease.js";
import { parseSelector } from "./selector.js";

describe("newLeaseRecord", () => {
  it("reconciles times and derives the object labels from selector and tags", () => {
    const lease = newLeaseRecord({
      namespace: "lab",
      name: "l1",
      clientName: "alice",
      selector: parseSelector("board=rpi4,jumpstarter.dev/name=x,rack in (a)"),
      endTime: new Date("2030-01-01T11:00:00Z"),
      durationMs: 3_600_000,
      tags: { team: "kernel" },
      context: { ci: "1" },
    });
    assert.equal(lease.spec.beginTime?.toISOString(), "2030-01-01T10:00:00.000Z");
    assert.deepEqual(lease.labels, { board: "rpi4", "metadata.jumpstarter.dev/team": "kernel" });
    assert.deepEqual(lease.spec.context, { ci: "1" });
    assert.equal(lease.spec.release, false);
    assert.equal(lease.status.ended, false);
  });

  it("refuses missing durations", () => {
    assert.throws(() => newLeaseRecord({ namespace: "lab", name: "l", clientName: "c", selector: parseSelector("a") }), /duration is required/);
  });
});

describe("leaseTagsError", () => {
  it("accepts ordinary tags", () => assert.equal(leaseTagsError({ team: "kernel", "ci-run": "42" }), undefined));
  it("limits the number of tags", () => {
    const tags = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`t${i}`, "v"]));
    assert.match(leaseTagsError(tags) ?? "", /too many tags: 11 \(maximum 10\)/);
    assert.equal(leaseTagsError(tags, 11), undefined);
  });
  it("refuses keys with a slash", () => assert.match(leaseTagsError({ "a/b": "v" }) ?? "", /must not contain "\/"/));
  it("refuses reserved prefixes", () => assert.match(leaseTagsError({ "jumpstarter.dev/x": "v" }) ?? "", /reserved prefix/));
  it("refuses invalid keys and values", () => {
    assert.match(leaseTagsError({ "-bad": "v" }) ?? "", /invalid label key/);
    assert.match(leaseTagsError({ ok: "bad value" }) ?? "", /invalid label value/);
  });
  it("turns tags into metadata labels", () => {
    assert.deepEqual(leaseLabels(parseSelector(""), { a: "1" }), { "metadata.jumpstarter.dev/a": "1" });
  });
});

describe("requestLeaseRelease", () => {
  it("sets spec.release once and is idempotent", async () => {
    const store = await openStore(":memory:");
    try {
      await store.createLease(newLeaseRecord({ namespace: "lab", name: "l1", clientName: "c", selector: parseSelector("a"), durationMs: 1000 }));
      const released = await requestLeaseRelease(store, "lab", "l1");
      assert.equal(released.spec.release, true);
      assert.equal(released.version, 2);
      assert.equal((await requestLeaseRelease(store, "lab", "l1")).version, 2);
      await assert.rejects(requestLeaseRelease(store, "lab", "nope"), { name: "ObjectNotFoundError" });
    } finally {
      await store.close();
    }
  });
});
