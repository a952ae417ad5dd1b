/**
 * @module
 * Exporter side of the composite package: `Composite` groups drivers; `Proxy` makes a driver that lives
 * elsewhere in the tree appear again under another name. Call {@link bindProxies} on the root once the
 * whole tree is built, before serving it.
 */
import type { DriverEntry, DriverOptions, DriverReport } from "@jumpstarter/core";
import { Driver, InvalidArgumentError } from "@jumpstarter/core";
import { z } from "zod";
import { COMPOSITE_CLIENT } from "./interface.js";

/** `Composite` takes no `config:` keys; its children come from the export entry's `children:`. */
export const CompositeConfigSchema = z.object({}).strict();
/** Config of {@link Composite}. */
export type CompositeConfig = z.infer<typeof CompositeConfigSchema>;

/** Groups child drivers. Has no methods; clients and `j` reach the children by name. */
export class Composite extends Driver {
  static readonly configSchema = CompositeConfigSchema;

  constructor(_config: CompositeConfig = {}, options: DriverOptions = {}) {
    super(options);
  }

  override client(): string {
    return COMPOSITE_CLIENT;
  }
}

/** `Proxy` config: `ref` is a dotted path of child names from the tree root, e.g. `group.power2`. */
export const ProxyConfigSchema = z
  .object({
    ref: z
      .string()
      .min(1, "ref must name a driver, e.g. \"group.power\"")
      .refine((ref) => ref.split(".").every((part) => part.length > 0), "ref must be dot-separated child names without empty parts"),
  })
  .strict();
/** Config of {@link Proxy}. */
export type ProxyConfig = z.infer<typeof ProxyConfigSchema>;

/**
 * An alias of another driver of the same tree. It reports its target's entry (same uuid, same client,
 * the target's children too) under its own name and parent, so calls made through it reach the target.
 * It must be bound to the tree root ({@link Proxy.bind} or {@link bindProxies}) before it is reported.
 */
export class Proxy extends Driver {
  static readonly configSchema = ProxyConfigSchema;
  /** Dotted path of the target from the tree root. */
  readonly ref: string;
  #target: Driver | undefined;
  #binding = false;
  #enumerating = false;

  constructor(config: ProxyConfig, options: DriverOptions = {}) {
    super(options);
    this.ref = config.ref;
    if (Object.keys(this.children).length > 0) throw new InvalidArgumentError(`Proxy for ${this.ref} cannot have children`);
  }

  /** Whether {@link Proxy.bind} has found the target. */
  get bound(): boolean {
    return this.#target !== undefined;
  }

  /**
   * Finds the target under `root` by following `ref`. `name` only improves error messages. Binding again
   * returns the target found the first time.
   */
  bind(root: Driver, name: string = this.ref): Driver {
    if (this.#target) return this.#target;
    if (this.#binding) throw new InvalidArgumentError(`Proxy driver ${name} is part of a proxy cycle (ref ${this.ref})`);
    this.#binding = true;
    try {
      let node: Driver = root;
      for (const part of this.ref.split(".")) {
        if (node instanceof Proxy) node = node.bind(root);
        const next = Object.hasOwn(node.children, part) ? node.children[part] : undefined;
        if (!next) throw new InvalidArgumentError(`Proxy driver ${name} references nonexistent driver ${this.ref}`);
        node = next;
      }
      if (node === this || contains(node, this)) {
        throw new InvalidArgumentError(`Proxy driver ${name} references ${this.ref}, which contains the proxy itself`);
      }
      this.#target = node;
      return node;
    } finally {
      this.#binding = false;
    }
  }

  #node(): Driver {
    if (!this.#target) throw new Error(`Proxy target ${this.ref} is not bound; call bindProxies(root) before serving the tree`);
    return this.#target;
  }

  /** The driver this proxy stands for (following chains of proxies). */
  override resolve(): Driver {
    const seen = new Set<Driver>([this]);
    let node = this.#node();
    while (node instanceof Proxy) {
      if (seen.has(node)) throw new InvalidArgumentError(`Proxy driver for ${this.ref} is part of a proxy cycle`);
      seen.add(node);
      node = node.#node();
    }
    return node;
  }

  /** The target's client label. */
  override client(): string {
    return this.resolve().client();
  }

  /** The target's report under the proxy's parent and name. */
  override report(parent?: Driver, name?: string): DriverReport {
    return this.resolve().report(parent, name);
  }

  /** The target's subtree, reported under the proxy's parent and name. */
  override *enumerate(parent?: Driver, name?: string): Generator<DriverEntry> {
    if (this.#enumerating) throw new InvalidArgumentError(`Proxy driver for ${this.ref} reports itself (cycle)`);
    this.#enumerating = true;
    try {
      yield* this.#node().enumerate(parent, name);
    } finally {
      this.#enumerating = false;
    }
  }
}

/** Whether `needle` is in the subtree of `node` (own children only, proxies not followed). */
function contains(node: Driver, needle: Driver): boolean {
  for (const child of Object.values(node.children)) {
    if (child === needle || contains(child, needle)) return true;
  }
  return false;
}

/**
 * Binds every {@link Proxy} in the tree under `root` to its target. Call it once the tree is complete and
 * before creating the exporter session. Returns `root`.
 */
export function bindProxies<D extends Driver>(root: D): D {
  const walk = (node: Driver, path: string[]) => {
    for (const [name, child] of Object.entries(node.children)) {
      const childPath = [...path, name];
      if (child instanceof Proxy) child.bind(root, childPath.join("."));
      else walk(child, childPath);
    }
  };
  walk(root, []);
  return root;
}
