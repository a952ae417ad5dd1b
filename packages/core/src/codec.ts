/**
 * @module
 * JS values ↔ `google.protobuf.Value`, following the reference serde rules (spec driver-calls §2): every number
 * is a double (NaN and ±Infinity become null), bytes travel as UTF-8 text, dates as ISO-8601 strings, Maps as
 * objects, Sets and typed arrays as lists, objects with `toJSON` as its result; `undefined` is dropped inside
 * objects and becomes `null` at the top level; cycles are rejected.
 */
import { create } from "@bufbuild/protobuf";
import type { ListValue, Struct, Value } from "@bufbuild/protobuf/wkt";
import { ListValueSchema, NullValue, StructSchema, ValueSchema } from "@bufbuild/protobuf/wkt";
import { InvalidArgumentError } from "./errors.js";

/** A value as it arrives from the wire: plain JSON data. */
export type WireValue = null | boolean | number | string | WireValue[] | { [key: string]: WireValue };

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Encodes a JS value as a `google.protobuf.Value`. Throws {@link InvalidArgumentError} on values JSON cannot hold. */
export function toValue(value: unknown): Value {
  return create(ValueSchema, { kind: kindOf(value, new Set()) });
}

function kindOf(value: unknown, seen: Set<object>): Value["kind"] {
  switch (typeof value) {
    case "string":
      return { case: "stringValue", value };
    case "number":
      return numberKind(value);
    case "boolean":
      return { case: "boolValue", value };
    case "bigint":
      return numberKind(Number(value));
    case "undefined":
      return { case: "nullValue", value: NullValue.NULL_VALUE };
    case "object":
      if (value === null) return { case: "nullValue", value: NullValue.NULL_VALUE };
      return objectKind(value, seen);
    default:
      throw new InvalidArgumentError(`cannot encode a ${typeof value} as a protobuf Value`);
  }
}

function numberKind(value: number): Value["kind"] {
  return Number.isFinite(value) ? { case: "numberValue", value } : { case: "nullValue", value: NullValue.NULL_VALUE };
}

function objectKind(value: object, seen: Set<object>): Value["kind"] {
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) {
    try {
      return { case: "stringValue", value: utf8.decode(value) };
    } catch (cause) {
      throw new InvalidArgumentError("bytes are not valid UTF-8; base64-encode binary data explicitly", { cause });
    }
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new InvalidArgumentError("cannot encode an invalid Date");
    return { case: "stringValue", value: value.toISOString() };
  }
  if (seen.has(value)) throw new InvalidArgumentError("cannot encode a cyclic structure as a protobuf Value");
  seen.add(value);
  try {
    if (Array.isArray(value) || value instanceof Set) return { case: "listValue", value: listOf(value, seen) };
    if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
      return { case: "listValue", value: listOf(Array.from(value as unknown as ArrayLike<unknown>), seen) };
    }
    if (value instanceof Map) return { case: "structValue", value: structOf(value.entries(), seen) };
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") {
      const replaced: unknown = toJSON.call(value);
      if (replaced !== value) return kindOf(replaced, seen);
    }
    return { case: "structValue", value: structOf(Object.entries(value), seen) };
  } finally {
    seen.delete(value);
  }
}

/** Struct keys as pydantic's JSON mode writes them: numbers and booleans become their text. */
function structKey(key: unknown): string {
  switch (typeof key) {
    case "string":
      return key;
    case "number":
    case "bigint":
      return String(key);
    case "boolean":
      return key ? "true" : "false";
    default:
      throw new InvalidArgumentError(`cannot encode a ${typeof key} object key`);
  }
}

function listOf(items: Iterable<unknown>, seen: Set<object>): ListValue {
  const values: Value[] = [];
  for (const item of items) values.push(create(ValueSchema, { kind: kindOf(item, seen) }));
  return create(ListValueSchema, { values });
}

function structOf(entries: Iterable<[unknown, unknown]>, seen: Set<object>): Struct {
  // A null prototype keeps a "__proto__" key an ordinary field.
  const fields: Record<string, Value> = Object.create(null) as Record<string, Value>;
  for (const [key, item] of entries) {
    if (item === undefined || typeof item === "function" || typeof item === "symbol") continue;
    fields[structKey(key)] = create(ValueSchema, { kind: kindOf(item, seen) });
  }
  return create(StructSchema, { fields });
}

/** Decodes a `google.protobuf.Value` into plain JSON data. An unset value decodes as `null`. */
export function fromValue(value: Value | undefined): WireValue {
  const kind = value?.kind;
  switch (kind?.case) {
    case "stringValue":
    case "numberValue":
    case "boolValue":
      return kind.value;
    case "listValue":
      return kind.value.values.map(fromValue);
    case "structValue":
      return Object.fromEntries(Object.entries(kind.value.fields).map(([key, item]) => [key, fromValue(item)]));
    default:
      return null;
  }
}

/** Encodes positional call arguments. */
export function toValues(values: readonly unknown[]): Value[] {
  return values.map(toValue);
}
