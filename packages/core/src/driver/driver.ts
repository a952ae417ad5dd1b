/**
 * @module
 * The `Driver` base class: identity (uuid), tree (children), report labels, description and resources.
 */
import { randomUUID } from "node:crypto";
import type { Duplex } from "node:stream";
import { NotFoundError } from "../errors.js";
import type { ResourceHandle } from "../resources/handle.js";
import { openResource } from "../resources/open.js";
import { callSignal } from "../session/call-context.js";
import type { DriverLogger } from "./logger.js";
import { silentLogger } from "./logger.js";

/** Label carrying the Python client class path of a driver. */
export const CLIENT_LABEL = "jumpstarter.dev/client";
/** Label carrying a driver's key in its parent. */
export const NAME_LABEL = "jumpstarter.dev/name";

/** Options every driver accepts besides its own config (the `export:` entry keys of ExporterConfig). */
export interface DriverOptions {
  /** Help text for the driver's `j` group. */
  readonly description?: string;
  /** Help text per `j` command name. */
  readonly methodsDescription?: Readonly<Record<string, string>>;
  /** Child drivers keyed by name. */
  readonly children?: Readonly<Record<string, Driver>>;
  /** Extra labels to report. */
  readonly labels?: Readonly<Record<string, string>>;
}

/** One entry of the report tree, as sent in `DriverInstanceReport`. */
export interface DriverReport {
  readonly uuid: string;
  readonly parentUuid?: string;
  readonly labels: Record<string, string>;
  readonly description?: string;
  readonly methodsDescription: Record<string, string>;
}

/** A node of the driver tree as `enumerate()` visits it. */
export interface DriverEntry {
  readonly driver: Driver;
  readonly parent?: Driver;
  readonly name?: string;
}

/**
 * Base class of every driver. Subclasses export methods with `@exportMethod` / `@exportstream`, name their
 * client with {@link Driver.client}, and release devices in {@link Driver.close}.
 */
export abstract class Driver {
  /** Random per instance: the exporter builds a fresh tree for every session. */
  readonly uuid: string = randomUUID();
  readonly description: string | undefined;
  readonly methodsDescription: Readonly<Record<string, string>>;
  readonly children: Readonly<Record<string, Driver>>;
  readonly labels: Readonly<Record<string, string>>;
  /** Client streams opened for this driver, keyed by resource uuid (filled by the session). */
  readonly resources: Map<string, Duplex> = new Map();
  /** Where this driver logs; the session attaches its LogStream sink. */
  logger: DriverLogger = silentLogger;

  constructor(options: DriverOptions = {}) {
    this.description = options.description;
    this.methodsDescription = options.methodsDescription ?? {};
    this.children = options.children ?? {};
    this.labels = options.labels ?? {};
  }

  /** Python dotted path of the client class, e.g. `jumpstarter_driver_power.client.PowerClient`. */
  abstract client(): string;

  /** Labels computed by the driver (reported beside its configured labels). */
  extraLabels(): Record<string, string> {
    return {};
  }

  /** The driver whose identity this node reports (a proxy reports its target). */
  resolve(): Driver {
    return this;
  }

  /** The report entry of this driver under `parent` as `name`. */
  report(parent?: Driver, name?: string): DriverReport {
    const labels: Record<string, string> = { ...this.labels, ...this.extraLabels(), [CLIENT_LABEL]: this.client() };
    if (name !== undefined) labels[NAME_LABEL] = name;
    return {
      uuid: this.uuid,
      ...(parent ? { parentUuid: parent.resolve().uuid } : {}),
      labels,
      ...(this.description !== undefined ? { description: this.description } : {}),
      methodsDescription: { ...this.methodsDescription },
    };
  }

  /** Depth-first pre-order walk of the tree: this driver, then each child subtree in insertion order. */
  *enumerate(parent?: Driver, name?: string): Generator<DriverEntry> {
    yield { driver: this, ...(parent ? { parent } : {}), ...(name !== undefined ? { name } : {}) };
    for (const [childName, child] of Object.entries(this.children)) yield* child.enumerate(this, childName);
  }

  /**
   * Opens a resource handle received as a call argument: a client stream (decompressed as the handle says)
   * or a presigned HTTP request (aborted with the call unless `signal` is given). Destroy the stream when done.
   */
  async resource(handle: ResourceHandle | unknown, options: { signal?: AbortSignal } = {}): Promise<Duplex> {
    return openResource(this, handle, { signal: options.signal ?? callSignal() });
  }

  /** Takes a client stream out of the resource map (used by {@link openResource}). */
  takeResource(uuid: string): Duplex {
    const stream = this.resources.get(uuid);
    if (!stream) throw new NotFoundError(`resource ${uuid} not found on driver`);
    this.resources.delete(uuid);
    return stream;
  }

  /** Releases devices. The base closes children in reverse order; subclasses call `super.close()`. */
  async close(): Promise<void> {
    const errors: unknown[] = [];
    for (const child of Object.values(this.children).reverse()) {
      try {
        await child.close();
      } catch (error) {
        errors.push(error);
      }
    }
    for (const stream of this.resources.values()) stream.destroy();
    this.resources.clear();
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, "closing child drivers failed");
  }
}
