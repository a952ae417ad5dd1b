/**
 * @module
 * `CompositeClient`: the client of a composite driver, reaching its children by name.
 */
import type { DriverClient } from "@jumpstarter/core";
import { InterfaceClient, NotFoundError, StubDriverClient, registerClientClass } from "@jumpstarter/core";
import type { CompositeInterface } from "./interface.js";
import { COMPOSITE_CLIENT } from "./interface.js";

/** Any client class, abstract or not, used to check the type of a child. */
export type ClientType<C extends DriverClient> = abstract new (...args: never[]) => C;

/** Client of `Composite` (and of any driver reporting the composite client label). */
export class CompositeClient extends InterfaceClient<typeof CompositeInterface> {
  /** Names of the children, in report order. */
  get childNames(): string[] {
    return Object.keys(this.children);
  }

  /** Whether a child called `name` exists. */
  has(name: string): boolean {
    return Object.hasOwn(this.children, name);
  }

  /**
   * The child called `name`. With `type`, also checks the child's client class, so
   * `root.child("power", PowerClient)` is typed as a `PowerClient`.
   */
  child<C extends DriverClient = DriverClient>(name: string, type?: ClientType<C>): C {
    if (!this.has(name)) {
      const known = this.childNames;
      throw new NotFoundError(`no child driver named ${JSON.stringify(name)}; children: ${known.length ? known.join(", ") : "(none)"}`);
    }
    const child = this.children[name]!;
    if (type && !(child instanceof type)) {
      if (child instanceof StubDriverClient) throw new NotFoundError(child.unavailableMessage);
      throw new NotFoundError(
        `child driver ${JSON.stringify(name)} has client ${child.clientLabel || "(unlabelled)"} (${child.constructor.name}), not ${type.name}`,
      );
    }
    return child as C;
  }

  /**
   * Follows a dotted path of child names, e.g. `root.path("group.power2", PowerClient)`.
   * Every intermediate node must be a composite.
   */
  path<C extends DriverClient = DriverClient>(dotted: string, type?: ClientType<C>): C {
    const parts = dotted.split(".");
    let node: CompositeClient = this;
    for (const part of parts.slice(0, -1)) node = node.child(part, CompositeClient);
    return node.child(parts.at(-1)!, type);
  }
}

registerClientClass(COMPOSITE_CLIENT, CompositeClient);
