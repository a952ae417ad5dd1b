/**
 * @module
 * Client and exporter identities: records in the store plus their internal tokens (what `jmp admin
 * create|get|delete|rotate` and ClientService.RotateToken work with).
 */
import { randomUUID } from "node:crypto";
import { ObjectNotFoundError } from "../store/errors.js";
import { modifyClient, modifyExporter } from "../store/modify.js";
import type { ClientRecord, ExporterRecord, Store } from "../store/store.js";
import type { IdentityKind, TokenIssuer } from "../auth/tokens.js";

/** The record type of a kind. */
export type IdentityRecord<K extends IdentityKind> = K extends "client" ? ClientRecord : ExporterRecord;

/** Options of a create call. */
export interface CreateIdentityOptions {
  readonly labels?: Readonly<Record<string, string>>;
  /** An OIDC username also accepted for this identity. */
  readonly username?: string;
}

/** Options of creating an exporter. */
export interface CreateExporterOptions extends CreateIdentityOptions {
  /** `spec.enabled` (default true). */
  readonly enabled?: boolean;
}

/** A record with the token just issued for it. */
export interface IdentityWithToken<R> {
  readonly record: R;
  readonly token: string;
  readonly expiresAt: Date;
}

/** Creates, reads, lists, deletes identities and rotates their tokens. */
export class Identities {
  constructor(
    private readonly store: Store,
    private readonly issuer: TokenIssuer,
  ) {}

  /** Creates a client with a fresh uid and token. Throws `AlreadyExistsError` when the name is taken. */
  async createClient(namespace: string, name: string, options: CreateIdentityOptions = {}): Promise<IdentityWithToken<ClientRecord>> {
    const fields = await this.newIdentity("client", namespace, name, options);
    const record = await this.store.createClient(fields);
    return { record, token: fields.token, expiresAt: fields.tokenExpiresAt };
  }

  /** Creates an exporter (enabled, never seen) with a fresh uid and token. */
  async createExporter(namespace: string, name: string, options: CreateExporterOptions = {}): Promise<IdentityWithToken<ExporterRecord>> {
    const fields = await this.newIdentity("exporter", namespace, name, options);
    const record = await this.store.createExporter({
      ...fields,
      enabled: options.enabled ?? true,
      devices: null,
      status: "Unspecified",
      statusMessage: "",
      lastSeen: null,
    });
    return { record, token: fields.token, expiresAt: fields.tokenExpiresAt };
  }

  /** What every new identity record starts with: a fresh uid and the first token issued for it. */
  private async newIdentity(kind: IdentityKind, namespace: string, name: string, options: CreateIdentityOptions) {
    const uid = randomUUID();
    const { token, expiresAt } = await this.issuer.issue({ kind, namespace, name, uid });
    return {
      namespace,
      name,
      uid,
      labels: { ...options.labels },
      ...(options.username ? { username: options.username } : {}),
      token,
      tokenExpiresAt: expiresAt,
    };
  }

  /** Reads one identity. */
  get<K extends IdentityKind>(kind: K, namespace: string, name: string): Promise<IdentityRecord<K> | undefined> {
    const found = kind === "client" ? this.store.getClient(namespace, name) : this.store.getExporter(namespace, name);
    return found as Promise<IdentityRecord<K> | undefined>;
  }

  /** Lists the identities of a namespace, by name. */
  async list<K extends IdentityKind>(kind: K, namespace: string): Promise<readonly IdentityRecord<K>[]> {
    const page = kind === "client" ? await this.store.listClients(namespace) : await this.store.listExporters(namespace);
    return page.items as readonly IdentityRecord<K>[];
  }

  /** Issues a new token and stores it as the identity's current one. Throws `ObjectNotFoundError`. */
  async rotate<K extends IdentityKind>(kind: K, namespace: string, name: string): Promise<IdentityWithToken<IdentityRecord<K>>> {
    const current = await this.get(kind, namespace, name);
    if (!current) throw new ObjectNotFoundError(kind, namespace, name);
    const { uid } = current;
    const { token, expiresAt } = await this.issuer.issue({ kind, namespace, name, uid });
    const update = <R extends ClientRecord | ExporterRecord>(record: R): R => {
      if (record.uid !== uid) throw new Error(`${kind} ${namespace}/${name} was re-created during the rotation`);
      return { ...record, token, tokenExpiresAt: expiresAt };
    };
    const record = kind === "client" ? await modifyClient(this.store, namespace, name, update) : await modifyExporter(this.store, namespace, name, update);
    return { record: record as IdentityRecord<K>, token, expiresAt };
  }

  /** Deletes an identity; its tokens stop working because a re-created one gets a new uid. */
  delete(kind: IdentityKind, namespace: string, name: string): Promise<boolean> {
    return kind === "client" ? this.store.deleteClient(namespace, name) : this.store.deleteExporter(namespace, name);
  }
}
