/**
 * @module
 * PostgreSQL backend over `pg`: a connection pool for queries and one LISTEN connection so that controller
 * replicas sharing the database hear each other's changes.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import type { Backend, InsertOutcome, Row, RowFilter, Table, UpdateOutcome } from "../backend.js";
import type { StoreEvent } from "../store.js";

const CHANNEL = "jumpstarter_store";
const UNIQUE_VIOLATION = "23505";
const MIGRATION_LOCK = 0x6a6d7073; // arbitrary constant shared by every replica

/** Schema migrations, applied in order under an advisory lock; `jumpstarter_schema.version` counts them. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE clients (seq BIGSERIAL, namespace TEXT NOT NULL, name TEXT NOT NULL, version BIGINT NOT NULL,
     data TEXT NOT NULL, PRIMARY KEY (namespace, name));
   CREATE TABLE exporters (seq BIGSERIAL, namespace TEXT NOT NULL, name TEXT NOT NULL, version BIGINT NOT NULL,
     data TEXT NOT NULL, PRIMARY KEY (namespace, name));
   CREATE TABLE leases (seq BIGSERIAL, namespace TEXT NOT NULL, name TEXT NOT NULL, version BIGINT NOT NULL,
     data TEXT NOT NULL, client TEXT NOT NULL, exporter TEXT, ended BOOLEAN NOT NULL, PRIMARY KEY (namespace, name));
   CREATE UNIQUE INDEX leases_active_exporter ON leases (namespace, exporter) WHERE NOT ended AND exporter IS NOT NULL;
   CREATE INDEX leases_client ON leases (namespace, client);
   CREATE TABLE keys (name TEXT PRIMARY KEY, value TEXT NOT NULL);`,
];

interface RawRow {
  seq: string;
  namespace: string;
  name: string;
  version: string;
  data: string;
  client?: string;
  exporter?: string | null;
  ended?: boolean;
}

function toRow(raw: RawRow): Row {
  const base = { seq: Number(raw.seq), namespace: raw.namespace, name: raw.name, version: Number(raw.version), data: raw.data };
  if (raw.ended === undefined) return base;
  return { ...base, client: raw.client ?? "", exporter: raw.exporter ?? null, ended: raw.ended };
}

function isUnique(error: unknown): boolean {
  return (error as { code?: string }).code === UNIQUE_VIOLATION;
}

/** A PostgreSQL store backend; create with {@link PostgresBackend.open}. */
export class PostgresBackend implements Backend {
  readonly kind = "postgres";
  private readonly origin = randomUUID();
  private readonly remoteListeners: ((event: StoreEvent) => void)[] = [];
  private listener: pg.Client | undefined;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly url: string,
  ) {}

  /** Connects, migrates the schema and starts listening for other replicas' changes. */
  static async open(url: string, options: { maxConnections?: number } = {}): Promise<PostgresBackend> {
    const pool = new pg.Pool({ connectionString: url, max: options.maxConnections ?? 10 });
    pool.on("error", () => undefined);
    const backend = new PostgresBackend(pool, url);
    try {
      await backend.migrate();
      await backend.listen();
    } catch (error) {
      await backend.close();
      throw error;
    }
    return backend;
  }

  private async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
      await client.query("CREATE TABLE IF NOT EXISTS jumpstarter_schema (version INTEGER NOT NULL)");
      const result = await client.query<{ version: number }>("SELECT version FROM jumpstarter_schema");
      let current = result.rows[0]?.version ?? 0;
      if (result.rows.length === 0) await client.query("INSERT INTO jumpstarter_schema (version) VALUES (0)");
      for (; current < MIGRATIONS.length; current++) await client.query(MIGRATIONS[current] as string);
      await client.query("UPDATE jumpstarter_schema SET version = $1", [current]);
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    const reconnect = () => {
      if (this.closed || this.listener !== client) return;
      this.listener = undefined;
      client.end().catch(() => undefined);
      this.retry = setTimeout(() => this.listen().catch(reconnect), 1000);
    };
    client.on("error", reconnect);
    client.on("end", reconnect);
    client.on("notification", (message) => {
      if (message.channel !== CHANNEL || !message.payload) return;
      const { origin, event } = JSON.parse(message.payload) as { origin: string; event: StoreEvent };
      if (origin === this.origin) return;
      for (const listener of this.remoteListeners) listener(event);
    });
    this.listener = client;
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
  }

  async insert(table: Table, row: Omit<Row, "version" | "seq">): Promise<InsertOutcome> {
    try {
      const result =
        table === "leases"
          ? await this.pool.query(
              "INSERT INTO leases (namespace, name, version, data, client, exporter, ended) VALUES ($1, $2, 1, $3, $4, $5, $6) ON CONFLICT (namespace, name) DO NOTHING",
              [row.namespace, row.name, row.data, row.client ?? "", row.exporter ?? null, row.ended ?? false],
            )
          : await this.pool.query(`INSERT INTO ${table} (namespace, name, version, data) VALUES ($1, $2, 1, $3) ON CONFLICT (namespace, name) DO NOTHING`, [
              row.namespace,
              row.name,
              row.data,
            ]);
      return result.rowCount === 1 ? "ok" : "exists";
    } catch (error) {
      if (isUnique(error)) return "busy";
      throw error;
    }
  }

  async get(table: Table, namespace: string, name: string): Promise<Row | undefined> {
    const result = await this.pool.query<RawRow>(`SELECT * FROM ${table} WHERE namespace = $1 AND name = $2`, [namespace, name]);
    const raw = result.rows[0];
    return raw ? toRow(raw) : undefined;
  }

  async list(table: Table, namespace: string, filter: RowFilter = {}): Promise<Row[]> {
    const where = ["namespace = $1"];
    const args: unknown[] = [namespace];
    const add = (column: string, value: unknown) => {
      args.push(value);
      where.push(`${column} = $${args.length}`);
    };
    if (filter.ended !== undefined) add("ended", filter.ended);
    if (filter.exporter !== undefined) add("exporter", filter.exporter);
    if (filter.client !== undefined) add("client", filter.client);
    const order = table === "leases" ? "seq" : "name COLLATE \"C\"";
    const result = await this.pool.query<RawRow>(`SELECT * FROM ${table} WHERE ${where.join(" AND ")} ORDER BY ${order}`, args);
    return result.rows.map(toRow);
  }

  async update(table: Table, row: Omit<Row, "version" | "seq">, expected: number): Promise<UpdateOutcome> {
    try {
      const result =
        table === "leases"
          ? await this.pool.query(
              "UPDATE leases SET version = version + 1, data = $1, client = $2, exporter = $3, ended = $4 WHERE namespace = $5 AND name = $6 AND version = $7",
              [row.data, row.client ?? "", row.exporter ?? null, row.ended ?? false, row.namespace, row.name, expected],
            )
          : await this.pool.query(`UPDATE ${table} SET version = version + 1, data = $1 WHERE namespace = $2 AND name = $3 AND version = $4`, [
              row.data,
              row.namespace,
              row.name,
              expected,
            ]);
      return result.rowCount === 1 ? "ok" : "conflict";
    } catch (error) {
      if (isUnique(error)) return "busy";
      throw error;
    }
  }

  async delete(table: Table, namespace: string, name: string): Promise<boolean> {
    const result = await this.pool.query(`DELETE FROM ${table} WHERE namespace = $1 AND name = $2`, [namespace, name]);
    return (result.rowCount ?? 0) > 0;
  }

  async getKey(name: string): Promise<string | undefined> {
    const result = await this.pool.query<{ value: string }>("SELECT value FROM keys WHERE name = $1", [name]);
    return result.rows[0]?.value;
  }

  async ensureKey(name: string, value: string): Promise<string> {
    await this.pool.query("INSERT INTO keys (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", [name, value]);
    return (await this.getKey(name)) as string;
  }

  async publish(event: StoreEvent): Promise<void> {
    if (this.closed) return;
    await this.pool.query("SELECT pg_notify($1, $2)", [CHANNEL, JSON.stringify({ origin: this.origin, event })]);
  }

  onRemote(listener: (event: StoreEvent) => void): void {
    this.remoteListeners.push(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retry);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
    await this.pool.end();
  }
}
