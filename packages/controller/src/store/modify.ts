/**
 * @module
 * Read-modify-write helpers: re-read and retry while a compare-and-set update loses.
 */
import { ObjectNotFoundError, StoreConflictError } from "./errors.js";
import type { ClientRecord, ExporterRecord, LeaseRecord, Store } from "./store.js";

/** Returns the new record, or `undefined` to leave the stored one unchanged. */
export type Mutation<T> = (current: T) => T | undefined;

const MAX_ATTEMPTS = 100;

async function modify<T>(
  kind: string,
  namespace: string,
  name: string,
  read: () => Promise<T | undefined>,
  write: (record: T) => Promise<T>,
  mutate: Mutation<T>,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const current = await read();
    if (current === undefined) throw new ObjectNotFoundError(kind, namespace, name);
    const next = mutate(current);
    if (next === undefined) return current;
    try {
      return await write(next);
    } catch (error) {
      if (!(error instanceof StoreConflictError) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

/** Applies `mutate` to an exporter until the write wins. Throws `ObjectNotFoundError` when absent. */
export function modifyExporter(store: Store, namespace: string, name: string, mutate: Mutation<ExporterRecord>): Promise<ExporterRecord> {
  return modify("exporter", namespace, name, () => store.getExporter(namespace, name), (r) => store.updateExporter(r), mutate);
}

/** Applies `mutate` to a lease until the write wins. Throws `ObjectNotFoundError` when absent. */
export function modifyLease(store: Store, namespace: string, name: string, mutate: Mutation<LeaseRecord>): Promise<LeaseRecord> {
  return modify("lease", namespace, name, () => store.getLease(namespace, name), (r) => store.updateLease(r), mutate);
}

/** Applies `mutate` to a client until the write wins. Throws `ObjectNotFoundError` when absent. */
export function modifyClient(store: Store, namespace: string, name: string, mutate: Mutation<ClientRecord>): Promise<ClientRecord> {
  return modify("client", namespace, name, () => store.getClient(namespace, name), (r) => store.updateClient(r), mutate);
}
