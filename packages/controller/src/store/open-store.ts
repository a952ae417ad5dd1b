/**
 * @module
 * Opening a {@link Store} from a location string (`--database`).
 */
import { PostgresBackend } from "./postgres/postgres-backend.js";
import { RecordStore } from "./record-store.js";
import { SqliteBackend } from "./sqlite/sqlite-backend.js";
import type { Store } from "./store.js";

/** Options of {@link openStore}. */
export interface OpenStoreOptions {
  /** PostgreSQL pool size (default 10). */
  readonly maxConnections?: number;
}

/**
 * Opens the store at `location`: `postgres://…` / `postgresql://…` for PostgreSQL; `sqlite:PATH`, a plain file
 * path or `:memory:` for SQLite. Creates or migrates the schema.
 */
export async function openStore(location: string, options: OpenStoreOptions = {}): Promise<Store> {
  if (/^postgres(ql)?:\/\//.test(location)) {
    const backend = await PostgresBackend.open(location, options.maxConnections ? { maxConnections: options.maxConnections } : {});
    return new RecordStore(backend);
  }
  const path = location.startsWith("sqlite:") ? location.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "") : location;
  if (path.length === 0) throw new Error("empty SQLite database path");
  return new RecordStore(new SqliteBackend(path));
}
