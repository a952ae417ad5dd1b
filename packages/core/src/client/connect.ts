/**
 * @module
 * One call from an address to a ready client tree.
 */
import type { GetReportResponse } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import type { DriverAllowlist } from "./allowlist.js";
import type { CallOptions, ConnectOptions } from "./connection.js";
import { ExporterConnection } from "./connection.js";
import type { DriverClient } from "./driver-client.js";
import type { ClientTreeOptions } from "./tree.js";
import { buildClientTree } from "./tree.js";

/** A connected exporter: its report, client tree and connection. */
export interface ExporterHandle<C extends DriverClient = DriverClient> {
  readonly connection: ExporterConnection;
  readonly report: GetReportResponse;
  readonly root: C;
  /** Closes the connection. */
  close(): void;
}

/** Connects, fetches the report and builds the client tree. */
export async function connectExporter<C extends DriverClient = DriverClient>(
  target: ConnectOptions,
  tree: Omit<ClientTreeOptions, "allowlist"> & { readonly allowlist: DriverAllowlist },
  options: CallOptions = {},
): Promise<ExporterHandle<C>> {
  const connection = new ExporterConnection(target);
  try {
    const report = await connection.getReport({ timeoutMs: 30_000, ...options });
    const root = buildClientTree(report, connection, tree) as C;
    return { connection, report, root, close: () => connection.close() };
  } catch (error) {
    connection.close();
    throw error;
  }
}
