/**
 * @module
 * How a session resolves a call to a driver method, failing with the reference exporter's statuses and texts:
 * uuid routing (an unhandled Python `KeyError`/`ValueError` → UNKNOWN), export markers (NOT_FOUND) and
 * positional arity (a Python `TypeError` → UNKNOWN).
 */
import type { CallKind, ExportedMethod } from "../driver/decorators.js";
import { lookupMethod } from "../driver/decorators.js";
import type { Driver } from "../driver/driver.js";
import { Code, JumpstarterError, NotFoundError } from "../errors.js";

const markerOf: Record<CallKind, string> = {
  unary: "marker_drivercall",
  streaming: "marker_streamingdrivercall",
  stream: "marker_streamcall",
};

/** An exported method ready to be applied to its driver. */
export interface ResolvedMethod {
  readonly method: ExportedMethod;
  readonly fn: (...args: unknown[]) => unknown;
  /** Defining class name, as Python's `__qualname__` prints it. */
  readonly owner: string;
}

function unhandled(type: string, text: string): JumpstarterError {
  return new JumpstarterError(`Unexpected <class '${type}'>: ${text}`, Code.UNKNOWN);
}

/**
 * The canonical lowercase 8-4-4-4-12 form of a uuid as Python's `UUID(text)` accepts it (braces, `urn:uuid:`
 * and missing hyphens allowed); malformed text fails as Python's `ValueError` would.
 */
export function canonicalUuid(text: string): string {
  const hex = text.replaceAll("urn:", "").replaceAll("uuid:", "").replace(/^[{}]+|[{}]+$/g, "").replaceAll("-", "");
  if (hex.length !== 32) throw unhandled("ValueError", "badly formed hexadecimal UUID string");
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw unhandled("ValueError", `invalid literal for int() with base 16: '${hex}'`);
  const lower = hex.toLowerCase();
  return `${lower.slice(0, 8)}-${lower.slice(8, 12)}-${lower.slice(12, 16)}-${lower.slice(16, 20)}-${lower.slice(20)}`;
}

/** The driver registered under `uuid`; an unknown uuid fails like the reference's `KeyError`. */
export function findDriver(drivers: ReadonlyMap<string, Driver>, uuid: string): Driver {
  const canonical = canonicalUuid(uuid);
  const driver = drivers.get(canonical);
  if (!driver) throw unhandled("KeyError", `UUID('${canonical}')`);
  return driver;
}

/** Looks `name` up on `driver` for a call of `kind`, failing with NOT_FOUND as the reference does. */
export function resolveMethod(driver: Driver, name: string, kind: CallKind): ResolvedMethod {
  const found = lookupMethod(driver, name);
  if (found.found === "missing") throw new NotFoundError(`method ${name} not found on driver`);
  if (found.found === "unmarked" || found.method.kind !== kind) throw new NotFoundError(`method ${name} missing marker ${markerOf[kind]}`);
  return found;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** Python's listing of missing names: `'a'`, `'a' and 'b'`, `'a', 'b', and 'c'`. */
function quotedNames(names: readonly string[]): string {
  const quoted = names.map((name) => `'${name}'`);
  if (quoted.length <= 2) return quoted.join(" and ");
  return `${quoted.slice(0, -1).join(", ")}, and ${quoted.at(-1)}`;
}

/** Fails a call with the wrong number of positional arguments with Python's `TypeError` wording (UNKNOWN). */
export function checkArity(resolved: ResolvedMethod, name: string, count: number): void {
  const { method, owner } = resolved;
  const label = `${owner}.${name}()`;
  if (count > method.maxArgs) {
    const takes =
      method.minArgs === method.maxArgs
        ? plural(method.maxArgs + 1, "positional argument")
        : `from ${method.minArgs + 1} to ${plural(method.maxArgs + 1, "positional argument")}`;
    throw new JumpstarterError(`${label} takes ${takes} but ${count + 1} were given`, Code.UNKNOWN);
  }
  if (count < method.minArgs) {
    const missing = method.params.slice(count, method.minArgs);
    const names = missing.length === method.minArgs - count ? `: ${quotedNames(missing)}` : "";
    throw new JumpstarterError(`${label} missing ${plural(method.minArgs - count, "required positional argument")}${names}`, Code.UNKNOWN);
  }
}
