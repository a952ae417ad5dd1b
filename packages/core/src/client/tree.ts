/**
 * @module
 * Builds the client tree from a GetReport answer (spec driver-calls §8).
 */
import type { GetReportResponse } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import { CLIENT_LABEL, NAME_LABEL } from "../driver/driver.js";
import { JumpstarterError } from "../errors.js";
import type { DriverAllowlist } from "./allowlist.js";
import { isAllowed } from "./allowlist.js";
import type { ExporterConnection } from "./connection.js";
import type { DriverClient, DriverClientClass } from "./driver-client.js";
import { DriverClient as GenericDriverClient } from "./driver-client.js";
import { clientClassFor } from "./registry.js";
import { StubDriverClient } from "./stub-client.js";

/** Options of {@link buildClientTree}. */
export interface ClientTreeOptions {
  readonly allowlist: DriverAllowlist;
  /** Class for the root instead of the registry's (tests that serve a driver with their own client). */
  readonly rootClass?: DriverClientClass;
  /** Use a generic DriverClient instead of a stub for allowed labels no package provides. */
  readonly genericFallback?: boolean;
}

/**
 * Instantiates clients children-first and returns the root. Reports must be in pre-order; children are keyed
 * by their `jumpstarter.dev/name`. A uuid may appear twice (proxies), so entries are keyed by report index.
 */
export function buildClientTree(report: GetReportResponse, connection: ExporterConnection, options: ClientTreeOptions): DriverClient {
  const reports = report.reports;
  if (reports.length === 0) throw new JumpstarterError("the exporter reported no drivers");
  const lastIndexOf = new Map<string, number>();
  const childIndexes = reports.map((): number[] => []);
  reports.forEach((entry, index) => {
    if (entry.parentUuid !== undefined) {
      const parentIndex = lastIndexOf.get(entry.parentUuid);
      if (parentIndex === undefined) {
        throw new JumpstarterError(`report entry ${entry.uuid} names parent ${entry.parentUuid}, which was not reported before it`);
      }
      childIndexes[parentIndex]!.push(index);
    }
    lastIndexOf.set(entry.uuid, index);
  });
  const clients: DriverClient[] = [];
  for (let index = reports.length - 1; index >= 0; index--) {
    const entry = reports[index]!;
    const children: Record<string, DriverClient> = {};
    for (const childIndex of childIndexes[index]!) {
      children[reports[childIndex]!.labels[NAME_LABEL] ?? String(childIndex)] = clients[childIndex]!;
    }
    const init = {
      uuid: entry.uuid,
      labels: { ...entry.labels },
      ...(entry.description !== undefined ? { description: entry.description } : {}),
      methodsDescription: { ...entry.methodsDescription },
      children,
      connection,
    };
    const label = entry.labels[CLIENT_LABEL] ?? "";
    const registered = index === 0 && options.rootClass ? options.rootClass : clientClassFor(label);
    if (!isAllowed(label, options.allowlist) && !(index === 0 && options.rootClass)) {
      clients[index] = new StubDriverClient(init, "not-allowed");
    } else if (registered) {
      clients[index] = new registered(init);
    } else {
      clients[index] = options.genericFallback ? new GenericDriverClient(init) : new StubDriverClient(init, "not-installed");
    }
  }
  return clients[0]!;
}
