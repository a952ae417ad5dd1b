/**
 * @module
 * Transfer progress for `j storage flash|dump`: a cli-progress bar when the stream is a terminal, and one
 * plain line every few percent (or every few MiB when the size is unknown) otherwise.
 */
import { SingleBar } from "cli-progress";
import type { Writable } from "node:stream";
import type { TransferProgress } from "./image-io.js";

/** Receives progress updates and finishes the display. */
export interface ProgressDisplay {
  update(progress: TransferProgress): void;
  stop(): void;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** What is moving, e.g. `flash` or `dump`. */
  readonly label: string;
  /** Where to draw (stderr by default). */
  readonly stream?: Writable & { isTTY?: boolean; columns?: number };
  /** Percent between plain-text lines (5). */
  readonly stepPercent?: number;
  /** Bytes between plain-text lines when the total is unknown (64 MiB). */
  readonly stepBytes?: number;
  /** Clock in milliseconds (replaceable in tests). */
  readonly now?: () => number;
}

/** Formats a byte count with binary units: `1.5 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Creates the display suited to `stream`. */
export function createProgress(options: ProgressOptions): ProgressDisplay {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? (() => performance.now());
  const started = now();
  const rate = (bytes: number) => {
    const seconds = (now() - started) / 1000;
    return seconds > 0 ? `${formatBytes(bytes / seconds)}/s` : "-";
  };
  if (stream.isTTY && (stream.columns ?? 0) > 0) return barDisplay(options.label, stream, rate);
  return lineDisplay(options, stream, rate);
}

function barDisplay(label: string, stream: Writable, rate: (bytes: number) => string): ProgressDisplay {
  const bar = new SingleBar({
    format: `${label} [{bar}] {percentage}% | {done} / {size} | {rate}`,
    stream,
    hideCursor: true,
    barsize: 30,
    etaBuffer: 50,
  });
  let started = false;
  let last: TransferProgress = { bytes: 0 };
  return {
    update(progress) {
      last = progress;
      const payload = { done: formatBytes(progress.bytes), size: progress.total !== undefined ? formatBytes(progress.total) : "?", rate: rate(progress.bytes) };
      if (!started) {
        bar.start(progress.total ?? 0, progress.bytes, payload);
        started = true;
      } else {
        if (progress.total !== undefined) bar.setTotal(progress.total);
        bar.update(progress.bytes, payload);
      }
    },
    stop() {
      if (!started) return;
      bar.update(last.bytes, { done: formatBytes(last.bytes), size: last.total !== undefined ? formatBytes(last.total) : "?", rate: rate(last.bytes) });
      bar.stop();
    },
  };
}

function lineDisplay(options: ProgressOptions, stream: Writable, rate: (bytes: number) => string): ProgressDisplay {
  const stepPercent = options.stepPercent ?? 5;
  const stepBytes = options.stepBytes ?? 64 * 1024 * 1024;
  let nextMark = 0;
  let last: TransferProgress | undefined;
  let printed: number | undefined;
  const print = (progress: TransferProgress) => {
    const share = progress.total ? ` ${Math.floor((progress.bytes / progress.total) * 100)}%` : "";
    const size = progress.total !== undefined ? ` / ${formatBytes(progress.total)}` : "";
    stream.write(`${options.label}:${share} ${formatBytes(progress.bytes)}${size} ${rate(progress.bytes)}\n`);
    printed = progress.bytes;
  };
  return {
    update(progress) {
      last = progress;
      const position = progress.total ? (progress.bytes / progress.total) * 100 : progress.bytes;
      if (position >= nextMark) {
        print(progress);
        const step = progress.total ? stepPercent : stepBytes;
        nextMark = (Math.floor(position / step) + 1) * step;
      }
    },
    stop() {
      if (last && printed !== last.bytes) print(last);
    },
  };
}
