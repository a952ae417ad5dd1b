/**
 * @module
 * Forwarding between two paired `RouterService.Stream` calls: frames are copied verbatim both ways with
 * backpressure, and the pair ends when both sides half-closed (both calls end OK) or when either side fails
 * (the survivor ends CANCELLED).
 */
import type { ServerDuplexStream } from "@grpc/grpc-js";
import { Code } from "@jumpstarter/core";
import type { Frame } from "@jumpstarter/core";

/** A server-side router call carrying frames in both directions. */
export type FrameCall = ServerDuplexStream<Frame, Frame>;

/** Why a relay ended, for logs and tests. */
export interface RelayEnd {
  /** True when both sides half-closed cleanly. */
  readonly clean: boolean;
  readonly reason: string;
}

/**
 * Relays frames between `first` and `second` until the pair ends; resolves with how it ended. Frames are written
 * to the opposite call as they were decoded (payload view and frame type), never interpreted.
 */
export function relayFrames(first: FrameCall, second: FrameCall): Promise<RelayEnd> {
  return new Promise<RelayEnd>((resolve) => {
    let done = false;
    let halfClosed = 0;
    const calls = [first, second] as const;
    const cleanups: (() => void)[] = [];

    const finish = (end: RelayEnd, failed?: FrameCall) => {
      if (done) return;
      done = true;
      for (const cleanup of cleanups) cleanup();
      for (const call of calls) {
        if (call === failed) continue;
        if (end.clean) call.end();
        else call.emit("error", { code: Code.CANCELLED, details: `router: peer stream ended (${end.reason})` });
      }
      resolve(end);
    };

    const forward = (source: FrameCall, target: FrameCall) => {
      const onDrain = () => source.resume();
      const onData = (frame: Frame) => {
        if (done) return;
        if (!target.write(frame)) {
          source.pause();
          target.once("drain", onDrain);
        }
      };
      const onEnd = () => {
        halfClosed++;
        if (halfClosed === 2) finish({ clean: true, reason: "both sides closed" });
      };
      const onCancelled = () => finish({ clean: false, reason: "peer cancelled" }, source);
      const onError = (error: Error) => finish({ clean: false, reason: error.message }, source);
      source.on("data", onData);
      source.on("end", onEnd);
      source.on("cancelled", onCancelled);
      source.on("error", onError);
      cleanups.push(() => {
        source.off("data", onData);
        source.off("end", onEnd);
        source.off("cancelled", onCancelled);
        source.off("error", onError);
        target.off("drain", onDrain);
      });
    };

    forward(first, second);
    forward(second, first);
    if (first.cancelled) finish({ clean: false, reason: "peer cancelled" }, first);
    else if (second.cancelled) finish({ clean: false, reason: "peer cancelled" }, second);
  });
}
