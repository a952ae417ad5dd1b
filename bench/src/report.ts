/**
 * @module
 * Turns samples into report rows (medians, ratios, CPU per operation) and prints them as a table or JSON.
 */
import type { Metric, OpUnit, Sample } from "./measure.js";
import type { TargetKind } from "./workload.js";

/** Medians of one target on one row. */
export interface TargetResult {
  /** Calls/s, or MiB/s for byte streams. */
  readonly rate: number;
  /** Server-process CPU: µs per call, or CPU seconds per GiB. */
  readonly serverCpu: number;
  /** Bench-process (client) CPU, same unit. */
  readonly clientCpu: number;
}

/** One row of the report. */
export interface ReportRow {
  readonly id: string;
  readonly label: string;
  readonly rateUnit: "calls/s" | "MiB/s";
  readonly cpuUnit: "µs/call" | "CPU s/GiB";
  readonly results: Readonly<Record<TargetKind, TargetResult>>;
}

/** Everything a run produced. */
export interface Report {
  readonly machine: string;
  readonly node: string;
  readonly quick: boolean;
  readonly repeats: number;
  readonly rows: readonly ReportRow[];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function perOp(unit: OpUnit, micros: number, ops: number): number {
  return unit === "calls" ? micros / ops : micros / 1e6 / (ops / 2 ** 30);
}

function rateOf(unit: OpUnit, sample: Sample): number {
  return unit === "calls" ? sample.ops / sample.seconds : sample.ops / 2 ** 20 / sample.seconds;
}

/** Summarises the samples of one metric. */
export function summarise(metric: Metric, samples: Readonly<Record<TargetKind, readonly Sample[]>>): ReportRow {
  const result = (kind: TargetKind): TargetResult => {
    const runs = samples[kind];
    return {
      rate: median(runs.map((sample) => rateOf(metric.unit, sample))),
      serverCpu: median(runs.map((sample) => perOp(metric.unit, sample.serverMicros, sample.ops))),
      clientCpu: median(runs.map((sample) => perOp(metric.unit, sample.clientMicros, sample.ops))),
    };
  };
  return {
    id: metric.id,
    label: metric.label,
    rateUnit: metric.unit === "calls" ? "calls/s" : "MiB/s",
    cpuUnit: metric.unit === "calls" ? "µs/call" : "CPU s/GiB",
    results: { session: result("session"), grpc: result("grpc"), socket: result("socket") },
  };
}

function format(value: number): string {
  if (value >= 100) return Math.round(value).toLocaleString("en-US");
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function table(rows: readonly string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ")).join("\n");
}

/** The reference Python exporter on this machine class, driven by its own client (numbers from the issue). */
export const pythonReference = {
  unarySequentialPerSecond: 860,
  unarySequentialExporterMicros: 650,
  unaryConcurrentPerSecond: 2200,
  streamingCallsPerSecond: 520,
  streamMegabytesPerSecond: 420,
} as const;

/** How our numbers compare with the targets set against the reference. */
export function formatTargets(report: Report): string {
  const row = (id: string) => report.rows.find((candidate) => candidate.id === id)?.results.session;
  const lines: string[] = [];
  const check = (label: string, ok: boolean, detail: string) => lines.push(`${ok ? "met " : "MISS"}  ${label}: ${detail}`);
  const sequential = row("unary_sequential");
  if (sequential) {
    const limit = pythonReference.unarySequentialExporterMicros / 4;
    check("exporter CPU per sequential unary call ≤ ¼ of the reference", sequential.serverCpu <= limit, `${format(sequential.serverCpu)} µs (limit ${format(limit)} µs)`);
  }
  for (const [id, label] of [
    ["stream_upload", "upload"],
    ["stream_download", "download"],
  ] as const) {
    const result = row(id);
    if (!result) continue;
    const megabytes = (result.rate * 2 ** 20) / 1e6;
    check(`exportstream ${label} ≥ the reference's ${pythonReference.streamMegabytesPerSecond} MB/s`, megabytes >= pythonReference.streamMegabytesPerSecond, `${format(megabytes)} MB/s`);
  }
  const reference: Array<[string, number]> = [
    ["unary_sequential", pythonReference.unarySequentialPerSecond],
    ["unary_concurrent", pythonReference.unaryConcurrentPerSecond],
    ["streaming_calls", pythonReference.streamingCallsPerSecond],
  ];
  for (const [id, rate] of reference) {
    const result = row(id);
    if (result) lines.push(`      ${id}: ${format(result.rate / rate)}× the reference's ${format(rate)} calls/s`);
  }
  return lines.join("\n");
}

/** The report as a plain-text table. */
export function formatReport(report: Report): string {
  const header = ["metric", "unit", "ours", "grpc-js", "socket", "ours/grpc", "ours/socket", "exporter CPU: ours", "grpc-js", "socket", "client CPU: ours", "cpu unit"];
  const rows = report.rows.map((row) => {
    const { session, grpc, socket } = row.results;
    return [
      row.label,
      row.rateUnit,
      format(session.rate),
      format(grpc.rate),
      format(socket.rate),
      (session.rate / grpc.rate).toFixed(2),
      (session.rate / socket.rate).toFixed(3),
      format(session.serverCpu),
      format(grpc.serverCpu),
      format(socket.serverCpu),
      format(session.clientCpu),
      row.cpuUnit,
    ];
  });
  const mode = report.quick ? "quick mode: numbers are indicative only" : `median of ${report.repeats} runs`;
  return [`${report.machine}, Node ${report.node} (${mode})`, "", table([header, ...rows]), "", formatTargets(report)].join("\n");
}
