/**
 * @module
 * The client's view of the controller: client.v1 ClientService (leases, exporters) and ControllerService.Dial,
 * as one client identity from a ClientConfig. Resource names carry the client's namespace.
 */
import { create } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Exporter, Lease } from "@jumpstarter/protocol/gen/jumpstarter/client/v1/client_pb";
import { ClientService, LeaseSchema } from "@jumpstarter/protocol/gen/jumpstarter/client/v1/client_pb";
import type { DialResponse } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import { ControllerService } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import type { ClientConfig, LoadedClientConfig } from "./client-config.js";
import type { ControllerAccess } from "./controller.js";
import { clientServiceClient, controllerAccess, controllerClient } from "./controller.js";
import type { RpcClient, RpcOptions } from "./rpc.js";

/** A lease request (`jmp create lease`, `jmp shell -l/-n`). */
export interface LeaseRequest {
  readonly selector?: string;
  readonly exporterName?: string;
  readonly durationMs?: number;
  readonly beginTime?: Date;
  readonly endTime?: Date;
  readonly leaseId?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly context?: Readonly<Record<string, string>>;
  readonly allowDisabled?: boolean;
}

/** Changes to a lease (`jmp update lease`). */
export interface LeaseUpdate {
  readonly durationMs?: number;
  readonly beginTime?: Date;
  readonly endTime?: Date;
  /** Bare client name to transfer the lease to. */
  readonly toClient?: string;
}

/** A connection to the controller as one client. */
export class ControllerSession {
  readonly config: ClientConfig;
  readonly access: ControllerAccess;
  readonly #clients: RpcClient;
  readonly #controller: RpcClient;

  constructor(loaded: LoadedClientConfig) {
    this.config = loaded.config;
    this.access = controllerAccess(loaded.path ? `client config ${loaded.path}` : "the client config from the environment", "Client", {
      endpoint: loaded.config.endpoint,
      token: loaded.config.token,
      namespace: loaded.config.metadata.namespace,
      name: loaded.config.metadata.name,
      tls: loaded.config.tls,
      grpcOptions: loaded.config.grpcOptions,
    });
    this.#clients = clientServiceClient(this.access);
    this.#controller = controllerClient(this.access);
  }

  /** The caller's namespace (every resource name carries it). */
  get namespace(): string {
    return this.access.identity.namespace;
  }

  /** The caller's client name. */
  get name(): string {
    return this.access.identity.name;
  }

  #lease(name: string): string {
    return `namespaces/${this.namespace}/leases/${name}`;
  }

  /** ClientService.GetLease by bare lease name. */
  getLease(name: string, options?: RpcOptions): Promise<Lease> {
    return this.#clients.unary(ClientService.method.getLease, { name: this.#lease(name) }, { timeoutMs: 30_000, ...options });
  }

  /** ClientService.GetExporter by bare exporter name. */
  getExporter(name: string, options?: RpcOptions): Promise<Exporter> {
    return this.#clients.unary(ClientService.method.getExporter, { name: `namespaces/${this.namespace}/exporters/${name}` }, { timeoutMs: 30_000, ...options });
  }

  /** Every page of ListLeases. */
  async listLeases(query: { filter?: string; onlyActive?: boolean; tagFilter?: string; pageSize?: number } = {}): Promise<Lease[]> {
    const leases: Lease[] = [];
    let pageToken = "";
    do {
      const page = await this.#clients.unary(
        ClientService.method.listLeases,
        {
          parent: `namespaces/${this.namespace}`,
          pageSize: query.pageSize ?? 100,
          pageToken,
          filter: query.filter ?? "",
          tagFilter: query.tagFilter ?? "",
          ...(query.onlyActive !== undefined ? { onlyActive: query.onlyActive } : {}),
        },
        { timeoutMs: 30_000 },
      );
      leases.push(...page.leases);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return leases;
  }

  /** Every page of ListExporters. */
  async listExporters(query: { filter?: string; pageSize?: number; showHiddenLabels?: boolean } = {}): Promise<Exporter[]> {
    const exporters: Exporter[] = [];
    let pageToken = "";
    do {
      const page = await this.#clients.unary(
        ClientService.method.listExporters,
        {
          parent: `namespaces/${this.namespace}`,
          pageSize: query.pageSize ?? 100,
          pageToken,
          filter: query.filter ?? "",
          showHiddenLabels: query.showHiddenLabels ?? false,
        },
        { timeoutMs: 30_000 },
      );
      exporters.push(...page.exporters);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return exporters;
  }

  /** ClientService.CreateLease. */
  createLease(request: LeaseRequest): Promise<Lease> {
    const lease = create(LeaseSchema, {
      selector: request.selector ?? "",
      ...(request.exporterName ? { exporterName: request.exporterName } : {}),
      ...(request.durationMs !== undefined ? { duration: durationFromMs(request.durationMs) } : {}),
      ...(request.beginTime ? { beginTime: timestampFromDate(request.beginTime) } : {}),
      ...(request.endTime ? { endTime: timestampFromDate(request.endTime) } : {}),
      tags: { ...request.tags },
      context: { ...request.context },
      allowDisabled: request.allowDisabled ?? false,
    });
    return this.#clients.unary(
      ClientService.method.createLease,
      { parent: `namespaces/${this.namespace}`, leaseId: request.leaseId ?? "", lease },
      { timeoutMs: 30_000 },
    );
  }

  /** ClientService.UpdateLease with the given fields (and an update mask naming them). */
  updateLease(name: string, update: LeaseUpdate): Promise<Lease> {
    const paths: string[] = [];
    const lease = create(LeaseSchema, { name: this.#lease(name) });
    if (update.durationMs !== undefined) {
      lease.duration = durationFromMs(update.durationMs);
      paths.push("duration");
    }
    if (update.beginTime) {
      lease.beginTime = timestampFromDate(update.beginTime);
      paths.push("begin_time");
    }
    if (update.endTime) {
      lease.endTime = timestampFromDate(update.endTime);
      paths.push("end_time");
    }
    if (update.toClient !== undefined) {
      lease.client = `namespaces/${this.namespace}/clients/${update.toClient}`;
      paths.push("client");
    }
    return this.#clients.unary(ClientService.method.updateLease, { lease, updateMask: { paths } }, { timeoutMs: 30_000 });
  }

  /** ClientService.DeleteLease: releases the lease. */
  async deleteLease(name: string): Promise<void> {
    await this.#clients.unary(ClientService.method.deleteLease, { name: this.#lease(name) }, { timeoutMs: 30_000 });
  }

  /** ControllerService.Dial: a router endpoint and token for one connection to the lease's exporter. */
  dial(leaseName: string, options?: RpcOptions): Promise<DialResponse> {
    return this.#controller.unary(ControllerService.method.dial, { leaseName }, { timeoutMs: 45_000, ...options });
  }

  /** Closes both channels. */
  close(): void {
    this.#clients.close();
    this.#controller.close();
  }
}
