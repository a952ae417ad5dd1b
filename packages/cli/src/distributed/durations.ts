/**
 * @module
 * Durations and times on the command line (spec cli §1): integer seconds, `30m` / `3h30m` / `1d3h40m`,
 * ISO-8601 `PT1H30M` (also `P1DT2H`), or `HH:MM:SS`; datetimes in ISO-8601, a naive one in local time.
 */
import { UsageError } from "../errors.js";

const units: Record<string, number> = { w: 604_800, d: 86_400, h: 3600, m: 60, s: 1 };

/** Parses a duration into milliseconds. */
export function parseDuration(text: string, flag = "--duration"): number {
  const value = text.trim();
  const fail = () => new UsageError(`invalid ${flag} ${JSON.stringify(text)}: use seconds, 1h30m, PT1H30M or HH:MM:SS`);
  let seconds: number | undefined;
  if (/^\d+(\.\d+)?$/.test(value)) seconds = Number(value);
  else if (/^(\d+(\.\d+)?[wdhms])+$/i.test(value)) {
    seconds = 0;
    for (const [, amount, unit] of value.toLowerCase().matchAll(/(\d+(?:\.\d+)?)([wdhms])/g)) seconds += Number(amount) * units[unit!]!;
  } else if (/^P/i.test(value)) {
    const match = /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(value);
    if (!match || value.toUpperCase() === "P" || value.toUpperCase().endsWith("T")) throw fail();
    const [w, d, h, m, s] = match.slice(1).map((part) => Number(part ?? 0));
    seconds = w! * 604_800 + d! * 86_400 + h! * 3600 + m! * 60 + s!;
  } else {
    const clock = /^(?:(\d+)\s+days?,\s*)?(\d+):(\d{1,2}):(\d{1,2}(?:\.\d+)?)$/.exec(value);
    if (clock) seconds = Number(clock[1] ?? 0) * 86_400 + Number(clock[2]) * 3600 + Number(clock[3]) * 60 + Number(clock[4]);
  }
  if (seconds === undefined || !Number.isFinite(seconds)) throw fail();
  return Math.round(seconds * 1000);
}

/** Parses an ISO-8601 datetime; without a zone it is local time. */
export function parseDateTime(text: string, flag = "--begin-time"): Date {
  const value = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(value)) {
    throw new UsageError(`invalid ${flag} ${JSON.stringify(text)}: use ISO-8601, e.g. 2026-05-01T09:30:00`);
  }
  const normalized = value.replace(" ", "T");
  // A bare date would be read as UTC midnight; the CLI means local midnight.
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(normalized) ? `${normalized}T00:00:00` : normalized);
  if (Number.isNaN(date.getTime())) throw new UsageError(`invalid ${flag} ${JSON.stringify(text)}`);
  return date;
}

/** `1h 2m 3s`-style text for a span of milliseconds (days when long). */
export function formatSpan(ms: number): string {
  let left = Math.max(0, Math.round(ms / 1000));
  const parts: string[] = [];
  for (const [unit, size] of [["d", 86_400], ["h", 3600], ["m", 60]] as const) {
    if (left >= size) {
      parts.push(`${Math.floor(left / size)}${unit}`);
      left %= size;
    }
  }
  if (left > 0 || parts.length === 0) parts.push(`${left}s`);
  return parts.join(" ");
}

/** Python's `str(timedelta)`: `0:30:00`, `1 day, 2:00:00`. */
export function formatTimedelta(ms: number): string {
  const total = Math.round(ms / 1000);
  const days = Math.floor(total / 86_400);
  const rest = total - days * 86_400;
  const clock = `${Math.floor(rest / 3600)}:${String(Math.floor((rest % 3600) / 60)).padStart(2, "0")}:${String(rest % 60).padStart(2, "0")}`;
  return days > 0 ? `${days} day${days === 1 ? "" : "s"}, ${clock}` : clock;
}

/** Local `YYYY-MM-DD HH:MM:SS`. */
export function formatLocalTime(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}
