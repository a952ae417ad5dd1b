import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatSpan, formatTimedelta, parseDateTime, parseDuration } from "./durations.js";

describe("durations", () => {
  it("parses seconds, human, ISO-8601 and clock forms", () => {
    const cases: Array<[string, number]> = [
      ["90", 90],
      ["30m", 1800],
      ["3h30m", 12_600],
      ["1d", 86_400],
      ["1d3h40m", 99_600],
      ["PT1H30M", 5400],
      ["P1DT2H", 93_600],
      ["PT45S", 45],
      ["01:02:03", 3723],
      ["0:00:05", 5],
    ];
    for (const [text, seconds] of cases) assert.equal(parseDuration(text), seconds * 1000, text);
  });

  it("refuses what is not a duration, naming the flag", () => {
    for (const text of ["", "abc", "1x", "PT", "P", "1:2", "-5"]) {
      assert.throws(() => parseDuration(text, "--dial-timeout"), { message: /^invalid --dial-timeout/ }, text);
    }
  });

  it("parses datetimes, naive ones in local time", () => {
    assert.equal(parseDateTime("2026-05-01T09:30:00Z").toISOString(), "2026-05-01T09:30:00.000Z");
    assert.equal(parseDateTime("2026-05-01T09:30:00+02:00").toISOString(), "2026-05-01T07:30:00.000Z");
    const local = parseDateTime("2026-05-01T09:30:00");
    assert.deepEqual([local.getHours(), local.getMinutes()], [9, 30]);
    assert.equal(parseDateTime("2026-05-01").getHours(), 0);
    assert.throws(() => parseDateTime("tomorrow"), { message: /^invalid --begin-time/ });
  });

  it("formats spans and Python timedeltas", () => {
    assert.equal(formatSpan(0), "0s");
    assert.equal(formatSpan(3_723_000), "1h 2m 3s");
    assert.equal(formatSpan(90_000_000), "1d 1h");
    assert.equal(formatTimedelta(1_800_000), "0:30:00");
    assert.equal(formatTimedelta(93_784_000), "1 day, 2:03:04");
  });
});
