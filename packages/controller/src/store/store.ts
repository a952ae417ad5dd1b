/**
 * @module
 * The controller's persistent state: clients, exporters, leases and key material, behind one {@link Store}
 * interface with a SQLite and a PostgreSQL implementation. Records mirror the reference's CRDs (spec §8):
 * a lease has a `spec` (what the client asked for) and a `status` (what the scheduler decided).
 */
import type { LabelSelector } from "../leases/selector.js";

/** Exporter status as the reference stores it in `Exporter.status.exporterStatus` (CRD enum strings). */
export type ExporterStatusName =
  | "Unspecified"
  | "Offline"
  | "Available"
  | "BeforeLeaseHook"
  | "LeaseReady"
  | "AfterLeaseHook"
  | "BeforeLeaseHookFailed"
  | "AfterLeaseHookFailed";

/** A Kubernetes-style condition; the reference always fills all six fields. */
export interface Condition {
  readonly type: string;
  readonly status: "True" | "False" | "Unknown";
  readonly observedGeneration: number;
  readonly lastTransitionTime: Date;
  readonly reason: string;
  readonly message: string;
}

/** Fields every stored object has. `version` increases on every write and guards compare-and-set updates. */
export interface ObjectMeta {
  readonly namespace: string;
  readonly name: string;
  /** Random UUID given at creation; part of the internal token subject, so re-creating an object voids old tokens. */
  readonly uid: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly createdAt: Date;
  /** Write counter for compare-and-set; 1 after creation. */
  readonly version: number;
}

/** Credential state shared by clients and exporters. */
export interface Credential {
  /** Username accepted besides the internal subject (OIDC identities, spec §2 step 4). */
  readonly username?: string;
  /** The last internal token issued (what `jmp admin get` puts into a config file). */
  readonly token?: string;
  readonly tokenExpiresAt?: Date;
}

/** A client identity (`Client` CR). */
export interface ClientRecord extends ObjectMeta, Credential {}

/** A device entry of an exporter's registration (uuid, parent and labels only, like the reference). */
export interface DeviceRecord {
  readonly uuid: string;
  readonly parentUuid?: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** An exporter identity and its live state (`Exporter` CR spec + status). */
export interface ExporterRecord extends ObjectMeta, Credential {
  /** `spec.enabled`; disabled exporters only serve leases with `allowDisabled`. */
  readonly enabled: boolean;
  /** Registered reports; `null` when never registered or unregistered (Registered condition False). */
  readonly devices: readonly DeviceRecord[] | null;
  readonly status: ExporterStatusName;
  readonly statusMessage: string;
  /** Last Register/ReportStatus/Status heartbeat; drives the Online rules (see `leases/liveness`). */
  readonly lastSeen: Date | null;
  /** Name of the active lease holding this exporter. Derived from the leases table; ignored on writes. */
  readonly leaseRef: string | null;
}

/** What a client asked for (`Lease.spec`). Durations are in milliseconds. */
export interface LeaseSpec {
  readonly clientName: string;
  readonly selector: LabelSelector;
  /** `spec.exporterRef`: pins the lease to one exporter by name. */
  readonly exporterName?: string;
  readonly durationMs?: number;
  readonly beginTime?: Date;
  readonly endTime?: Date;
  readonly tags: Readonly<Record<string, string>>;
  readonly context: Readonly<Record<string, string>>;
  readonly allowDisabled: boolean;
  readonly release: boolean;
}

/** What the scheduler decided (`Lease.status`). */
export interface LeaseStatus {
  /** Effective begin: when an exporter was acquired. */
  readonly beginTime?: Date;
  /** Effective end: when the lease ended. */
  readonly endTime?: Date;
  /** The exporter assigned to this lease. At most one non-ended lease may name a given exporter. */
  readonly exporterName?: string;
  readonly ended: boolean;
  readonly priority: number;
  readonly spotAccess: boolean;
  readonly conditions: readonly Condition[];
}

/** A lease (`Lease` CR). */
export interface LeaseRecord extends ObjectMeta {
  readonly spec: LeaseSpec;
  readonly status: LeaseStatus;
}

/** Input of the create calls: metadata without the fields the store fills in. */
export type NewObject<T extends ObjectMeta> = Omit<T, "uid" | "createdAt" | "version" | "leaseRef"> & {
  readonly uid?: string;
  readonly createdAt?: Date;
};

/** Paging and filtering of list calls (ListExporters / ListLeases `page_size`, `page_token`, `filter`). */
export interface ListOptions {
  /** Only objects whose `labels` match. */
  readonly selector?: LabelSelector;
  /** Page size; all when absent or 0. */
  readonly limit?: number;
  /** Opaque continuation token from a previous {@link Page.next}. */
  readonly continueToken?: string;
}

/** Extra lease filters. */
export interface LeaseListOptions extends ListOptions {
  /** Only leases not ended (`status.ended` false). */
  readonly onlyActive?: boolean;
  readonly clientName?: string;
  /** Only leases assigned (`status.exporterName`) to this exporter. */
  readonly exporterName?: string;
}

/** One page of a list, sorted by name (leases: by creation, then name). */
export interface Page<T> {
  readonly items: readonly T[];
  /** Token for the next page; absent on the last one. */
  readonly next?: string;
}

/** A change of one stored object, delivered to {@link Store.watch} listeners (also across replicas on PostgreSQL). */
export interface StoreEvent {
  readonly kind: "client" | "exporter" | "lease";
  readonly namespace: string;
  readonly name: string;
  readonly op: "put" | "delete";
}

/** Listener of {@link StoreEvent}s. */
export type StoreListener = (event: StoreEvent) => void;

/**
 * The controller's persistent state. Every write bumps `version`; `update*` calls are compare-and-set on the
 * version of the record passed in and throw `StoreConflictError` when someone else wrote first. `create*`
 * throws `AlreadyExistsError`; `update*`/`delete*` of a missing object throw `ObjectNotFoundError`.
 */
export interface Store {
  /** Which backend this is. */
  readonly backend: "sqlite" | "postgres";

  createClient(client: NewObject<ClientRecord>): Promise<ClientRecord>;
  getClient(namespace: string, name: string): Promise<ClientRecord | undefined>;
  listClients(namespace: string, options?: ListOptions): Promise<Page<ClientRecord>>;
  updateClient(client: ClientRecord): Promise<ClientRecord>;
  deleteClient(namespace: string, name: string): Promise<boolean>;

  createExporter(exporter: NewObject<ExporterRecord>): Promise<ExporterRecord>;
  getExporter(namespace: string, name: string): Promise<ExporterRecord | undefined>;
  listExporters(namespace: string, options?: ListOptions): Promise<Page<ExporterRecord>>;
  /** Compare-and-set; `leaseRef` is ignored (it follows the leases). */
  updateExporter(exporter: ExporterRecord): Promise<ExporterRecord>;
  deleteExporter(namespace: string, name: string): Promise<boolean>;

  createLease(lease: NewObject<LeaseRecord>): Promise<LeaseRecord>;
  getLease(namespace: string, name: string): Promise<LeaseRecord | undefined>;
  listLeases(namespace: string, options?: LeaseListOptions): Promise<Page<LeaseRecord>>;
  /**
   * Compare-and-set of a lease. Throws `StoreConflictError` when the version moved, and `ExporterBusyError`
   * when `status.exporterName` names an exporter another non-ended lease already holds (the database enforces
   * this with a unique index, so two replicas can never assign one exporter twice).
   */
  updateLease(lease: LeaseRecord): Promise<LeaseRecord>;
  /**
   * Race-free assignment: like {@link updateLease} but returns `undefined` instead of throwing when the lease
   * changed meanwhile or the exporter was taken by another lease.
   */
  tryUpdateLease(lease: LeaseRecord): Promise<LeaseRecord | undefined>;
  deleteLease(namespace: string, name: string): Promise<boolean>;

  /** Reads a stored secret (signing keys). */
  getKey(name: string): Promise<string | undefined>;
  /** Stores `value` under `name` unless present; returns whichever value is stored afterwards (first writer wins). */
  ensureKey(name: string, value: string): Promise<string>;

  /** Subscribes to changes; returns the unsubscribe function. */
  watch(listener: StoreListener): () => void;

  /** Closes the database (and the PostgreSQL LISTEN connection). */
  close(): Promise<void>;
}
