/**
 * @module
 * Client classes keyed by the `jumpstarter.dev/client` label, so the reference's Python class names map to
 * TypeScript clients and third-party packages can register their own.
 */
import type { DriverClientClass } from "./driver-client.js";

const registry = new Map<string, DriverClientClass>();

/** Registers `clientClass` for `label` (e.g. `jumpstarter_driver_power.client.PowerClient`). */
export function registerClientClass(label: string, clientClass: DriverClientClass): void {
  registry.set(label, clientClass);
}

/** The class registered for `label`, if any. */
export function clientClassFor(label: string): DriverClientClass | undefined {
  return registry.get(label);
}

/** Every registered label. */
export function registeredClientLabels(): string[] {
  return [...registry.keys()].sort();
}
