/**
 * @module
 * The {@link Store} implementation shared by both databases: records ⇄ rows, compare-and-set, paging, events.
 */
import { EventEmitter } from "node:events";
import { randomUUID } from "node:crypto";
import { matchesSelector } from "../leases/selector.js";
import type { Backend, Row, Table } from "./backend.js";
import { decodeClient, decodeExporter, decodeLease, encodeClient, encodeExporter, encodeLease } from "./codec.js";
import { AlreadyExistsError, ExporterBusyError, ObjectNotFoundError, StoreConflictError } from "./errors.js";
import type {
  ClientRecord,
  ExporterRecord,
  LeaseListOptions,
  LeaseRecord,
  ListOptions,
  NewObject,
  ObjectMeta,
  Page,
  Store,
  StoreEvent,
  StoreListener,
} from "./store.js";

const KIND: Record<Table, StoreEvent["kind"]> = { clients: "client", exporters: "exporter", leases: "lease" };

function sortKey(table: Table, row: Row): string {
  return table === "leases" ? String(row.seq).padStart(20, "0") : row.name;
}

function page<T extends ObjectMeta>(table: Table, rows: readonly Row[], decode: (row: Row) => T, options: ListOptions): Page<T> {
  const after = options.continueToken ? Buffer.from(options.continueToken, "base64url").toString("utf8") : undefined;
  const items: T[] = [];
  let last: Row | undefined;
  let more = false;
  for (const row of rows) {
    if (after !== undefined && sortKey(table, row) <= after) continue;
    const item = decode(row);
    if (options.selector && !matchesSelector(options.selector, item.labels)) continue;
    if (options.limit && items.length >= options.limit) {
      more = true;
      break;
    }
    items.push(item);
    last = row;
  }
  const next = more && last ? Buffer.from(sortKey(table, last), "utf8").toString("base64url") : undefined;
  return next ? { items, next } : { items };
}

/** A {@link Store} over a {@link Backend}. */
export class RecordStore implements Store {
  private readonly events = new EventEmitter();

  constructor(private readonly db: Backend) {
    this.events.setMaxListeners(0);
    db.onRemote((event) => this.events.emit("change", event));
  }

  get backend(): "sqlite" | "postgres" {
    return this.db.kind;
  }

  private emit(kind: StoreEvent["kind"], namespace: string, name: string, op: StoreEvent["op"]): void {
    const event: StoreEvent = { kind, namespace, name, op };
    this.events.emit("change", event);
    this.db.publish(event).catch(() => undefined);
  }

  private async create<T extends ObjectMeta>(table: Table, input: NewObject<T>, encode: (record: T) => string, extra: Partial<Row>): Promise<T> {
    const record = { ...input, uid: input.uid ?? randomUUID(), createdAt: input.createdAt ?? new Date(), version: 1 } as unknown as T;
    const outcome = await this.db.insert(table, { namespace: record.namespace, name: record.name, data: encode(record), ...extra });
    if (outcome === "exists") throw new AlreadyExistsError(KIND[table], record.namespace, record.name);
    if (outcome === "busy") throw new ExporterBusyError(record.namespace, extra.exporter ?? "");
    this.emit(KIND[table], record.namespace, record.name, "put");
    return record;
  }

  private async update<T extends ObjectMeta>(table: Table, record: T, data: string, extra: Partial<Row>): Promise<T> {
    const outcome = await this.db.update(table, { namespace: record.namespace, name: record.name, data, ...extra }, record.version);
    if (outcome === "busy") throw new ExporterBusyError(record.namespace, extra.exporter ?? "");
    if (outcome === "conflict") {
      const exists = await this.db.get(table, record.namespace, record.name);
      if (!exists) throw new ObjectNotFoundError(KIND[table], record.namespace, record.name);
      throw new StoreConflictError(KIND[table], record.namespace, record.name);
    }
    this.emit(KIND[table], record.namespace, record.name, "put");
    return { ...record, version: record.version + 1 };
  }

  private async remove(table: Table, namespace: string, name: string): Promise<boolean> {
    const removed = await this.db.delete(table, namespace, name);
    if (removed) this.emit(KIND[table], namespace, name, "delete");
    return removed;
  }

  createClient(client: NewObject<ClientRecord>): Promise<ClientRecord> {
    return this.create<ClientRecord>("clients", client, encodeClient, {});
  }

  async getClient(namespace: string, name: string): Promise<ClientRecord | undefined> {
    const row = await this.db.get("clients", namespace, name);
    return row && decodeClient(row.data, row.version);
  }

  async listClients(namespace: string, options: ListOptions = {}): Promise<Page<ClientRecord>> {
    const rows = await this.db.list("clients", namespace);
    return page("clients", rows, (row) => decodeClient(row.data, row.version), options);
  }

  updateClient(client: ClientRecord): Promise<ClientRecord> {
    return this.update("clients", client, encodeClient(client), {});
  }

  deleteClient(namespace: string, name: string): Promise<boolean> {
    return this.remove("clients", namespace, name);
  }

  createExporter(exporter: NewObject<ExporterRecord>): Promise<ExporterRecord> {
    return this.create<ExporterRecord>("exporters", exporter, encodeExporter, {}).then((record) => ({ ...record, leaseRef: null }));
  }

  async getExporter(namespace: string, name: string): Promise<ExporterRecord | undefined> {
    const row = await this.db.get("exporters", namespace, name);
    if (!row) return undefined;
    const holders = await this.db.list("leases", namespace, { ended: false, exporter: name });
    return decodeExporter(row.data, row.version, holders[0]?.name ?? null);
  }

  async listExporters(namespace: string, options: ListOptions = {}): Promise<Page<ExporterRecord>> {
    const [rows, active] = await Promise.all([this.db.list("exporters", namespace), this.db.list("leases", namespace, { ended: false })]);
    const held = new Map<string, string>();
    for (const lease of active) if (lease.exporter) held.set(lease.exporter, lease.name);
    return page("exporters", rows, (row) => decodeExporter(row.data, row.version, held.get(row.name) ?? null), options);
  }

  async updateExporter(exporter: ExporterRecord): Promise<ExporterRecord> {
    const updated = await this.update("exporters", exporter, encodeExporter(exporter), {});
    const holders = await this.db.list("leases", exporter.namespace, { ended: false, exporter: exporter.name });
    return { ...updated, leaseRef: holders[0]?.name ?? null };
  }

  deleteExporter(namespace: string, name: string): Promise<boolean> {
    return this.remove("exporters", namespace, name);
  }

  private leaseColumns(lease: LeaseRecord): Partial<Row> {
    return { exporter: lease.status.exporterName ?? null, ended: lease.status.ended, client: lease.spec.clientName };
  }

  async createLease(input: NewObject<LeaseRecord>): Promise<LeaseRecord> {
    const lease = await this.create<LeaseRecord>("leases", input, encodeLease, this.leaseColumns(input as LeaseRecord));
    if (lease.status.exporterName && !lease.status.ended) this.emit("exporter", lease.namespace, lease.status.exporterName, "put");
    return lease;
  }

  async getLease(namespace: string, name: string): Promise<LeaseRecord | undefined> {
    const row = await this.db.get("leases", namespace, name);
    return row && decodeLease(row.data, row.version);
  }

  async listLeases(namespace: string, options: LeaseListOptions = {}): Promise<Page<LeaseRecord>> {
    const rows = await this.db.list("leases", namespace, {
      ...(options.onlyActive ? { ended: false } : {}),
      ...(options.clientName !== undefined ? { client: options.clientName } : {}),
      ...(options.exporterName !== undefined ? { exporter: options.exporterName } : {}),
    });
    return page("leases", rows, (row) => decodeLease(row.data, row.version), options);
  }

  async updateLease(lease: LeaseRecord): Promise<LeaseRecord> {
    const before = await this.db.get("leases", lease.namespace, lease.name);
    if (!before) throw new ObjectNotFoundError("lease", lease.namespace, lease.name);
    if (before.version !== lease.version) throw new StoreConflictError("lease", lease.namespace, lease.name);
    const updated = await this.update("leases", lease, encodeLease(lease), this.leaseColumns(lease));
    const held = (exporter: string | null | undefined, ended: boolean | undefined) => (exporter && !ended ? exporter : undefined);
    const was = held(before.exporter, before.ended);
    const now = held(lease.status.exporterName, lease.status.ended);
    if (was !== now) {
      if (was) this.emit("exporter", lease.namespace, was, "put");
      if (now) this.emit("exporter", lease.namespace, now, "put");
    }
    return updated;
  }

  async tryUpdateLease(lease: LeaseRecord): Promise<LeaseRecord | undefined> {
    try {
      return await this.updateLease(lease);
    } catch (error) {
      if (error instanceof StoreConflictError || error instanceof ExporterBusyError) return undefined;
      throw error;
    }
  }

  async deleteLease(namespace: string, name: string): Promise<boolean> {
    const before = await this.db.get("leases", namespace, name);
    const removed = await this.remove("leases", namespace, name);
    if (removed && before?.exporter && !before.ended) this.emit("exporter", namespace, before.exporter, "put");
    return removed;
  }

  getKey(name: string): Promise<string | undefined> {
    return this.db.getKey(name);
  }

  ensureKey(name: string, value: string): Promise<string> {
    return this.db.ensureKey(name, value);
  }

  watch(listener: StoreListener): () => void {
    const safe = (event: StoreEvent) => {
      try {
        listener(event);
      } catch {
        // A listener's failure must not fail the write that triggered it.
      }
    };
    this.events.on("change", safe);
    return () => this.events.off("change", safe);
  }

  async close(): Promise<void> {
    this.events.removeAllListeners();
    await this.db.close();
  }
}
