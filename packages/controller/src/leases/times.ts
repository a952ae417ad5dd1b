/**
 * @module
 * Reconciliation of a lease's begin time, end time and duration (spec §5), with the reference's error texts.
 */
import { formatGoDuration } from "./go-duration.js";

/** The requested time fields of a lease; durations in milliseconds. */
export interface LeaseTimes {
  readonly beginTime?: Date;
  readonly endTime?: Date;
  readonly durationMs?: number;
}

/** Time fields that do not describe a lease; the message is the reference's. */
export class LeaseTimeError extends Error {
  override readonly name = "LeaseTimeError";
}

/**
 * Completes and checks the time fields: begin+end give the duration (an explicit different duration is a
 * conflict); end+duration give the begin; a positive duration is required in the end.
 */
export function reconcileLeaseTimes(times: LeaseTimes): LeaseTimes {
  let { beginTime, durationMs } = times;
  const { endTime } = times;
  if (beginTime && endTime) {
    const computed = endTime.getTime() - beginTime.getTime();
    if (durationMs !== undefined && durationMs > 0 && durationMs !== computed) {
      throw new LeaseTimeError("duration conflicts with begin_time and end_time");
    }
    durationMs = computed;
  } else if (endTime && durationMs !== undefined && durationMs > 0) {
    beginTime = new Date(endTime.getTime() - durationMs);
  }
  if (durationMs === undefined || durationMs === 0) {
    throw new LeaseTimeError("duration is required (must specify Duration, or both BeginTime and EndTime)");
  }
  if (durationMs < 0) throw new LeaseTimeError(`duration must be positive, got ${formatGoDuration(durationMs)}`);
  return {
    ...(beginTime ? { beginTime } : {}),
    ...(endTime ? { endTime } : {}),
    durationMs,
  };
}
