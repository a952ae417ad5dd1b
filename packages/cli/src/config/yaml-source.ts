/**
 * @module
 * YAML parsing that remembers where every value came from, so validation errors can name the line.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { Document, Node as YamlNode } from "yaml";
import { ConfigError } from "../errors.js";

/** A key path into a parsed document. */
export type KeyPath = readonly PropertyKey[];

/** A parsed YAML file: its plain value and a way back from key paths to lines. */
export interface YamlSource {
  /** The file as the user named it (used in messages). */
  readonly file: string;
  /** The document as plain JavaScript values. */
  readonly value: unknown;
  /**
   * 1-based line of the value at `path` (or of its key, with `atKey`); the nearest existing ancestor when the
   * path does not exist.
   */
  line(path: KeyPath, atKey?: boolean): number | undefined;
}

/** Dotted form of a key path: `export.power.config.port`, list indexes as `[2]`. */
export function formatKeyPath(path: KeyPath): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

function child(node: unknown, key: PropertyKey): { value: unknown; keyNode?: unknown } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((item) => isPair(item) && (isScalar(item.key) ? item.key.value : item.key) === key);
    if (!pair) {
      const pairByString = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(key));
      return pairByString ? { value: pairByString.value, keyNode: pairByString.key } : undefined;
    }
    return { value: pair.value, keyNode: pair.key };
  }
  if (isSeq(node) && typeof key === "number") return { value: node.items[key] };
  return undefined;
}

function startOf(node: unknown): number | undefined {
  const range = (node as YamlNode | null | undefined)?.range;
  return range ? range[0] : undefined;
}

/** Parses `text` (from `file`); YAML syntax errors become a {@link ConfigError} with the line. */
export function parseYaml(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const document: Document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problem = document.errors[0];
  if (problem) {
    const offset = problem.pos[0];
    const detail = problem.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
    throw new ConfigError({ file, line: lineCounter.linePos(offset).line }, `invalid YAML: ${detail}`);
  }
  const value: unknown = document.toJS({ maxAliasCount: 1000 });
  return {
    file,
    value,
    line(path, atKey = false) {
      let node: unknown = document.contents;
      let offset = startOf(node);
      for (let index = 0; index < path.length; index++) {
        const next = child(node, path[index]!);
        if (!next) break;
        const useKey = atKey && index === path.length - 1;
        node = next.value;
        offset = (useKey ? startOf(next.keyNode) : startOf(next.value)) ?? startOf(next.keyNode) ?? offset;
      }
      return offset === undefined ? undefined : lineCounter.linePos(offset).line;
    },
  };
}
