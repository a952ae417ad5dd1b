/**
 * @module
 * Driver interfaces: the contract between a driver and its client, written once as a method table. Drivers
 * are checked against it with {@link DriverMethods}; typed clients call through it with
 * `InterfaceClient`, so renaming a method in the table breaks both sides at compile time.
 */
import type { Duplex } from "node:stream";

/** One method of an interface: its call kind, positional argument types and result type. */
export interface MethodSpec<K extends "unary" | "streaming" | "stream", A extends readonly unknown[], R> {
  readonly kind: K;
  /** Type-only carrier of the argument tuple. */
  readonly args?: A;
  /** Type-only carrier of the result (the yielded item for streaming methods). */
  readonly result?: R;
}

/** A table of method specs keyed by the wire method name. */
export type MethodTable = Readonly<Record<string, MethodSpec<"unary" | "streaming" | "stream", readonly unknown[], unknown>>>;

/** A unary call taking `A` and resolving to `R`. */
export function unary<A extends readonly unknown[] = [], R = null>(): MethodSpec<"unary", A, R> {
  return { kind: "unary" };
}

/** A streaming call taking `A` and yielding `R` items. */
export function streaming<A extends readonly unknown[] = [], R = unknown>(): MethodSpec<"streaming", A, R> {
  return { kind: "streaming" };
}

/** A raw byte stream (`@exportstream`). */
export function byteStream(): MethodSpec<"stream", [], Duplex> {
  return { kind: "stream" };
}

/** A driver interface: its name, the client label the reference uses for it, and its methods. */
export interface DriverInterface<M extends MethodTable = MethodTable> {
  readonly name: string;
  /** Python dotted client class path reported as `jumpstarter.dev/client`. */
  readonly client: string;
  readonly methods: M;
}

/** Declares an interface; the object is plain data usable at run time (contract tests, `j` help). */
export function defineInterface<M extends MethodTable>(definition: DriverInterface<M>): DriverInterface<M> {
  return definition;
}

/** Argument tuple of a method spec. */
export type ArgsOf<S> = S extends { args?: infer A } ? Exclude<A, undefined> : never;
/** Result type of a method spec. */
export type ResultOf<S> = S extends { result?: infer R } ? Exclude<R, undefined> : never;

/** Method names of an interface with a given call kind. */
export type KeysOfKind<M extends MethodTable, K extends string> = {
  [N in keyof M & string]: M[N]["kind"] extends K ? N : never;
}[keyof M & string];

/** The methods a driver must have to implement interface `I`. */
export type DriverMethods<I extends DriverInterface> = {
  [N in keyof I["methods"]]: I["methods"][N]["kind"] extends "unary"
    ? (...args: ArgsOf<I["methods"][N]>) => ResultOf<I["methods"][N]> | Promise<ResultOf<I["methods"][N]>>
    : I["methods"][N]["kind"] extends "streaming"
      ? (...args: ArgsOf<I["methods"][N]>) => AsyncIterable<ResultOf<I["methods"][N]>> | Iterable<ResultOf<I["methods"][N]>>
      : () => Promise<Duplex>;
};
