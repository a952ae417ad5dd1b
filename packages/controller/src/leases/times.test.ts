import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatGoDuration } from "./go-duration.js";
import { LeaseTimeError, reconcileLeaseTimes } from "./times.js";

const t = (iso: string) => new Date(iso);
const HOUR = 3_600_000;

describe("reconcileLeaseTimes", () => {
  it("keeps a plain duration", () => {
    assert.deepEqual(reconcileLeaseTimes({ durationMs: HOUR }), { durationMs: HOUR });
  });

  it("derives the duration from begin and end", () => {
    const times = reconcileLeaseTimes({ beginTime: t("2030-01-01T10:00:00Z"), endTime: t("2030-01-01T12:30:00Z") });
    assert.equal(times.durationMs, 2.5 * HOUR);
  });

  it("accepts a matching explicit duration with begin and end", () => {
    const times = reconcileLeaseTimes({ beginTime: t("2030-01-01T10:00:00Z"), endTime: t("2030-01-01T11:00:00Z"), durationMs: HOUR });
    assert.equal(times.durationMs, HOUR);
  });

  it("refuses a conflicting duration", () => {
    assert.throws(
      () => reconcileLeaseTimes({ beginTime: t("2030-01-01T10:00:00Z"), endTime: t("2030-01-01T11:00:00Z"), durationMs: 2 * HOUR }),
      { name: "LeaseTimeError", message: "duration conflicts with begin_time and end_time" },
    );
  });

  it("derives the begin from end and duration", () => {
    const times = reconcileLeaseTimes({ endTime: t("2030-01-01T11:00:00Z"), durationMs: HOUR });
    assert.equal(times.beginTime?.toISOString(), "2030-01-01T10:00:00.000Z");
  });

  it("keeps begin with duration as given", () => {
    const begin = t("2030-01-01T10:00:00Z");
    assert.deepEqual(reconcileLeaseTimes({ beginTime: begin, durationMs: HOUR }), { beginTime: begin, durationMs: HOUR });
  });

  const required = "duration is required (must specify Duration, or both BeginTime and EndTime)";
  for (const [label, times] of [
    ["nothing", {}],
    ["only a begin", { beginTime: t("2030-01-01T10:00:00Z") }],
    ["only an end", { endTime: t("2030-01-01T10:00:00Z") }],
    ["a zero duration", { durationMs: 0 }],
    ["equal begin and end", { beginTime: t("2030-01-01T10:00:00Z"), endTime: t("2030-01-01T10:00:00Z") }],
  ] as const) {
    it(`requires a duration given ${label}`, () => {
      assert.throws(() => reconcileLeaseTimes(times), { message: required });
    });
  }

  it("refuses a negative duration with Go's duration text", () => {
    assert.throws(() => reconcileLeaseTimes({ durationMs: -HOUR }), { message: "duration must be positive, got -1h0m0s" });
    assert.throws(
      () => reconcileLeaseTimes({ beginTime: t("2030-01-01T10:00:30Z"), endTime: t("2030-01-01T10:00:00Z") }),
      (error: unknown) => error instanceof LeaseTimeError && error.message === "duration must be positive, got -30s",
    );
  });
});

describe("formatGoDuration", () => {
  const cases: [number, string][] = [
    [0, "0s"],
    [0.000_001, "1ns"],
    [0.0015, "1.5µs"],
    [1.5, "1.5ms"],
    [250, "250ms"],
    [1000, "1s"],
    [1500, "1.5s"],
    [61_000, "1m1s"],
    [HOUR, "1h0m0s"],
    [HOUR + 2500, "1h0m2.5s"],
    [-90_000, "-1m30s"],
    [8760 * HOUR, "8760h0m0s"],
  ];
  for (const [ms, text] of cases) {
    it(`${ms} ms → ${text}`, () => assert.equal(formatGoDuration(ms), text));
  }
});
