/**
 * @module
 * One store subscription fanned out to per-object listeners, so a thousand Status streams do not each filter
 * every store event.
 */
import type { Store, StoreEvent } from "../store/store.js";

type Kind = StoreEvent["kind"];

/** Routes store events to the listeners of the object they name. */
export class WatchHub {
  readonly #listeners = new Map<string, Set<() => void>>();
  #unwatch: (() => void) | undefined;

  constructor(store: Store) {
    this.#unwatch = store.watch((event) => {
      const listeners = this.#listeners.get(key(event.kind, event.namespace, event.name));
      if (listeners) for (const listener of [...listeners]) listener();
    });
  }

  /** Calls `listener` whenever the object changes; returns the unsubscribe function. */
  on(kind: Kind, namespace: string, name: string, listener: () => void): () => void {
    const k = key(kind, namespace, name);
    let set = this.#listeners.get(k);
    if (!set) this.#listeners.set(k, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.#listeners.get(k) === set) this.#listeners.delete(k);
    };
  }

  /** Stops listening to the store. */
  close(): void {
    this.#unwatch?.();
    this.#unwatch = undefined;
    this.#listeners.clear();
  }
}

function key(kind: Kind, namespace: string, name: string): string {
  return `${kind}\u0000${namespace}\u0000${name}`;
}
