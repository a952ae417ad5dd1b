/**
 * @module
 * The small SQL surface each database implements; {@link RecordStore} builds the {@link Store} on top of it.
 * @internal
 */
import type { StoreEvent } from "./store.js";

/** Tables of the store. */
export type Table = "clients" | "exporters" | "leases";

/** A stored row: key columns plus the JSON `data` of the record. */
export interface Row {
  readonly namespace: string;
  readonly name: string;
  readonly version: number;
  readonly data: string;
  /** Leases only: the assigned exporter (`status.exporterName`) and `status.ended`. */
  readonly exporter?: string | null;
  readonly ended?: boolean;
  readonly client?: string;
  /** Creation order (leases are listed in it). */
  readonly seq: number;
}

/** Row filters of {@link Backend.list}. */
export interface RowFilter {
  readonly ended?: boolean;
  readonly exporter?: string;
  readonly client?: string;
}

/** Result of a compare-and-set row update ("busy": the active-exporter unique index refused it). */
export type UpdateOutcome = "ok" | "conflict" | "busy";

/** Result of an insert. */
export type InsertOutcome = "ok" | "exists" | "busy";

/** What a database has to provide. Rows come back sorted: leases by `seq`, others by name. */
export interface Backend {
  readonly kind: "sqlite" | "postgres";
  /** Inserts a row with version 1. */
  insert(table: Table, row: Omit<Row, "version" | "seq">): Promise<InsertOutcome>;
  get(table: Table, namespace: string, name: string): Promise<Row | undefined>;
  list(table: Table, namespace: string, filter?: RowFilter): Promise<Row[]>;
  /** Writes `row` with `version = expected + 1` if the stored version is `expected`. "busy": exporter unique index. */
  update(table: Table, row: Omit<Row, "version" | "seq">, expected: number): Promise<UpdateOutcome>;
  delete(table: Table, namespace: string, name: string): Promise<boolean>;
  getKey(name: string): Promise<string | undefined>;
  ensureKey(name: string, value: string): Promise<string>;
  /** Tells other replicas about a change (no-op for a single-process database). */
  publish(event: StoreEvent): Promise<void>;
  /** Receives changes made by other replicas. */
  onRemote(listener: (event: StoreEvent) => void): void;
  close(): Promise<void>;
}
