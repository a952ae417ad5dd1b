/**
 * @module
 * `@exportMethod` and `@exportstream`: mark driver methods callable over the wire. Each decorated class keeps
 * its own registry; lookups follow the prototype chain, and the class that defines a method decides whether
 * it is exported, so overriding a method without decorating it again un-exports it (as in the reference).
 */

/** How a driver method is reached: DriverCall, StreamingDriverCall or RouterService.Stream. */
export type CallKind = "unary" | "streaming" | "stream";

/** What the registry knows about one exported method. */
export interface ExportedMethod {
  readonly kind: CallKind;
  /** Fewest positional arguments the method takes. */
  readonly minArgs: number;
  /** Most positional arguments the method takes (`Infinity` with a rest parameter). */
  readonly maxArgs: number;
  /** Declared parameter names (for the reference's "missing required positional argument" text). */
  readonly params: readonly string[];
}

const registries = new WeakMap<object, Map<string, ExportedMethod>>();

function register(kind: CallKind | "auto") {
  return (prototype: object, key: string | symbol, descriptor: PropertyDescriptor): void => {
    if (typeof key !== "string") throw new TypeError("only string-named methods can be exported");
    const fn: unknown = descriptor.value;
    if (typeof fn !== "function") throw new TypeError(`@export target ${key} is not a method`);
    let registry = registries.get(prototype);
    if (!registry) registries.set(prototype, (registry = new Map()));
    const generator = fn.constructor.name === "AsyncGeneratorFunction" || fn.constructor.name === "GeneratorFunction";
    const { minArgs, maxArgs, params } = signatureOf(fn);
    registry.set(key, { kind: kind === "auto" ? (generator ? "streaming" : "unary") : kind, minArgs, maxArgs, params });
  };
}

/**
 * Exports a driver method. Plain and async methods become unary calls; (async) generator methods become
 * streaming calls whose yielded values are sent one message each.
 */
export const exportMethod: (prototype: object, key: string | symbol, descriptor: PropertyDescriptor) => void =
  register("auto");

/**
 * Exports a raw byte stream: a method taking no arguments that resolves to a Node `Duplex`
 * (a socket, a serial port…). Clients reach it with `DriverClient.stream(name)`.
 */
export const exportstream: (prototype: object, key: string | symbol, descriptor: PropertyDescriptor) => void =
  register("stream");

/** Result of looking a method name up on a driver instance. */
export type MethodLookup =
  | {
      readonly found: "exported";
      readonly method: ExportedMethod;
      readonly fn: (...args: unknown[]) => unknown;
      /** Name of the class that defines the method (Python's `__qualname__` prefix). */
      readonly owner: string;
    }
  | { readonly found: "unmarked" }
  | { readonly found: "missing" };

/**
 * Finds `name` on `driver` following the reference rules: private (`_x`) and base-object names
 * (`constructor`, `toString`…) are "missing"; a defined but undecorated member is "unmarked". Accessors are
 * never invoked by a lookup.
 */
export function lookupMethod(driver: object, name: string): MethodLookup {
  if (name.startsWith("_") || name in Object.prototype) return { found: "missing" };
  if (Object.hasOwn(driver, name)) return { found: "unmarked" };
  for (let proto: object | null = Object.getPrototypeOf(driver); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, name);
    if (!descriptor) continue;
    const fn: unknown = descriptor.value;
    const method = registries.get(proto)?.get(name);
    if (method && typeof fn === "function") {
      const owner = (proto as { constructor?: { name?: unknown } }).constructor?.name;
      return { found: "exported", method, fn: fn as (...args: unknown[]) => unknown, owner: typeof owner === "string" ? owner : "" };
    }
    return { found: "unmarked" };
  }
  return { found: "missing" };
}

/** Every exported method of a driver instance, nearest definition winning. */
export function exportedMethods(driver: object): Map<string, ExportedMethod> {
  const result = new Map<string, ExportedMethod>();
  const seen = new Set<string>();
  for (let proto: object | null = Object.getPrototypeOf(driver); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (seen.has(name)) continue;
      seen.add(name);
      const method = registries.get(proto)?.get(name);
      if (method) result.set(name, method);
    }
  }
  return result;
}

/**
 * Positional-parameter bounds and names of a compiled function, read from its source text: `fn.length` gives
 * the required count; the declared list (minus a rest parameter) gives the maximum.
 */
function signatureOf(fn: Function): { minArgs: number; maxArgs: number; params: string[] } {
  const source = Function.prototype.toString.call(fn);
  const open = source.indexOf("(");
  if (open < 0) return { minArgs: fn.length, maxArgs: Infinity, params: [] };
  const params: string[] = [];
  let current = "";
  let depth = 0;
  let quote: string | null = null;
  let rest = false;
  for (let i = open + 1; i < source.length; i++) {
    const ch = source[i]!;
    if (quote) {
      current += ch;
      if (ch === "\\") current += source[++i] ?? "";
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === "`") quote = ch;
    else if (ch === "(" || ch === "[" || ch === "{") depth++;
    else if (ch === ")" || ch === "]" || ch === "}") {
      if (depth === 0) break;
      depth--;
    } else if (ch === "," && depth === 0) {
      params.push(current.trim());
      current = "";
      continue;
    }
    current += ch;
  }
  if (current.trim() !== "") params.push(current.trim());
  const names = params.map((param) => param.split("=")[0]!.trim()).filter((name) => {
    if (!name.startsWith("...")) return true;
    rest = true;
    return false;
  });
  return { minArgs: fn.length, maxArgs: rest ? Infinity : names.length, params: names };
}
