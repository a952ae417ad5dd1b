/**
 * @module
 * SQLite backend on `node:sqlite` (`DatabaseSync`) in WAL mode: the default, zero-setup store of one controller.
 */
import { DatabaseSync } from "node:sqlite";
import type { SQLInputValue } from "node:sqlite";
import type { Backend, InsertOutcome, Row, RowFilter, Table, UpdateOutcome } from "../backend.js";
import type { StoreEvent } from "../store.js";

const SQLITE_CONSTRAINT_UNIQUE = 2067;
const SQLITE_CONSTRAINT_PRIMARYKEY = 1555;

/** Schema migrations, applied in order; `PRAGMA user_version` records how many ran. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE clients (seq INTEGER PRIMARY KEY AUTOINCREMENT, namespace TEXT NOT NULL, name TEXT NOT NULL,
     version INTEGER NOT NULL, data TEXT NOT NULL, UNIQUE (namespace, name));
   CREATE TABLE exporters (seq INTEGER PRIMARY KEY AUTOINCREMENT, namespace TEXT NOT NULL, name TEXT NOT NULL,
     version INTEGER NOT NULL, data TEXT NOT NULL, UNIQUE (namespace, name));
   CREATE TABLE leases (seq INTEGER PRIMARY KEY AUTOINCREMENT, namespace TEXT NOT NULL, name TEXT NOT NULL,
     version INTEGER NOT NULL, data TEXT NOT NULL, client TEXT NOT NULL, exporter TEXT, ended INTEGER NOT NULL,
     UNIQUE (namespace, name));
   CREATE UNIQUE INDEX leases_active_exporter ON leases (namespace, exporter) WHERE ended = 0 AND exporter IS NOT NULL;
   CREATE INDEX leases_client ON leases (namespace, client);
   CREATE TABLE keys (name TEXT PRIMARY KEY, value TEXT NOT NULL);`,
];

interface RawRow {
  seq: number;
  namespace: string;
  name: string;
  version: number;
  data: string;
  client?: string;
  exporter?: string | null;
  ended?: number;
}

function toRow(raw: RawRow): Row {
  const base = { seq: Number(raw.seq), namespace: raw.namespace, name: raw.name, version: Number(raw.version), data: raw.data };
  if (raw.ended === undefined) return base;
  return { ...base, client: raw.client ?? "", exporter: raw.exporter ?? null, ended: Number(raw.ended) !== 0 };
}

function isUnique(error: unknown): boolean {
  const code = (error as { errcode?: number }).errcode;
  return code === SQLITE_CONSTRAINT_UNIQUE || code === SQLITE_CONSTRAINT_PRIMARYKEY;
}

/** Opens (creating and migrating as needed) a SQLite database file; `":memory:"` for a private in-memory one. */
export class SqliteBackend implements Backend {
  readonly kind = "sqlite";
  private readonly db: DatabaseSync;

  constructor(path: string) {
    this.db = new DatabaseSync(path, { timeout: 10_000 });
    this.db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;");
    this.migrate();
  }

  private migrate(): void {
    for (;;) {
      this.db.exec("BEGIN IMMEDIATE");
      try {
        const current = Number((this.db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version);
        if (current >= MIGRATIONS.length) {
          this.db.exec("COMMIT");
          return;
        }
        this.db.exec(MIGRATIONS[current] as string);
        this.db.exec(`PRAGMA user_version = ${current + 1}`);
        this.db.exec("COMMIT");
      } catch (error) {
        this.db.exec("ROLLBACK");
        throw error;
      }
    }
  }

  async insert(table: Table, row: Omit<Row, "version" | "seq">): Promise<InsertOutcome> {
    try {
      if (table === "leases") {
        this.db
          .prepare("INSERT INTO leases (namespace, name, version, data, client, exporter, ended) VALUES (?, ?, 1, ?, ?, ?, ?)")
          .run(row.namespace, row.name, row.data, row.client ?? "", row.exporter ?? null, row.ended ? 1 : 0);
      } else {
        this.db.prepare(`INSERT INTO ${table} (namespace, name, version, data) VALUES (?, ?, 1, ?)`).run(row.namespace, row.name, row.data);
      }
      return "ok";
    } catch (error) {
      if (isUnique(error)) return String((error as Error).message).includes("exporter") ? "busy" : "exists";
      throw error;
    }
  }

  async get(table: Table, namespace: string, name: string): Promise<Row | undefined> {
    const raw = this.db.prepare(`SELECT * FROM ${table} WHERE namespace = ? AND name = ?`).get(namespace, name);
    return raw ? toRow(raw as unknown as RawRow) : undefined;
  }

  async list(table: Table, namespace: string, filter: RowFilter = {}): Promise<Row[]> {
    const where = ["namespace = ?"];
    const args: SQLInputValue[] = [namespace];
    if (filter.ended !== undefined) {
      where.push("ended = ?");
      args.push(filter.ended ? 1 : 0);
    }
    if (filter.exporter !== undefined) {
      where.push("exporter = ?");
      args.push(filter.exporter);
    }
    if (filter.client !== undefined) {
      where.push("client = ?");
      args.push(filter.client);
    }
    const order = table === "leases" ? "seq" : "name";
    const raws = this.db.prepare(`SELECT * FROM ${table} WHERE ${where.join(" AND ")} ORDER BY ${order}`).all(...args);
    return raws.map((raw) => toRow(raw as unknown as RawRow));
  }

  async update(table: Table, row: Omit<Row, "version" | "seq">, expected: number): Promise<UpdateOutcome> {
    try {
      const result =
        table === "leases"
          ? this.db
              .prepare("UPDATE leases SET version = version + 1, data = ?, client = ?, exporter = ?, ended = ? WHERE namespace = ? AND name = ? AND version = ?")
              .run(row.data, row.client ?? "", row.exporter ?? null, row.ended ? 1 : 0, row.namespace, row.name, expected)
          : this.db
              .prepare(`UPDATE ${table} SET version = version + 1, data = ? WHERE namespace = ? AND name = ? AND version = ?`)
              .run(row.data, row.namespace, row.name, expected);
      return Number(result.changes) === 1 ? "ok" : "conflict";
    } catch (error) {
      if (isUnique(error)) return "busy";
      throw error;
    }
  }

  async delete(table: Table, namespace: string, name: string): Promise<boolean> {
    return Number(this.db.prepare(`DELETE FROM ${table} WHERE namespace = ? AND name = ?`).run(namespace, name).changes) > 0;
  }

  async getKey(name: string): Promise<string | undefined> {
    const raw = this.db.prepare("SELECT value FROM keys WHERE name = ?").get(name) as { value: string } | undefined;
    return raw?.value;
  }

  async ensureKey(name: string, value: string): Promise<string> {
    this.db.prepare("INSERT INTO keys (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING").run(name, value);
    return (await this.getKey(name)) as string;
  }

  async publish(_event: StoreEvent): Promise<void> {}

  onRemote(_listener: (event: StoreEvent) => void): void {}

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }
}
