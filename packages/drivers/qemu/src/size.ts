/**
 * @module
 * Byte sizes as the reference reads them: `20G`, `512M`, `2T` are binary (GiB, MiB, TiB), `1GB` is decimal,
 * `1GiB` binary, a bare number is bytes. Case does not matter.
 */
import { InvalidArgumentError } from "@jumpstarter/core";

const powers: Readonly<Record<string, number>> = { "": 0, k: 1, m: 2, g: 3, t: 4, p: 5, e: 6 };

/** Bytes in `size`; INVALID_ARGUMENT for anything else. */
export function parseSize(size: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgtpe]?)(i?)(b?)\s*$/i.exec(size);
  const invalid = () => new InvalidArgumentError(`Invalid size: '${size}'. Use e.g. '20G', '512M', '2T'`);
  if (!match) throw invalid();
  const [, number, prefix = "", binary = "", unit = ""] = match;
  const power = powers[prefix.toLowerCase()] ?? 0;
  if (binary && (!prefix || !unit)) throw invalid();
  // A bare prefix (`20G`) is binary, as is `GiB`; `GB` is decimal.
  const base = binary || !unit ? 1024 : 1000;
  const bytes = Math.floor(Number(number) * base ** power);
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw invalid();
  return bytes;
}

/** A size for people: `512 MiB`, `1.5 GiB`. */
export function formatSize(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const text = unit === 0 || Number.isInteger(value) ? String(value) : value.toFixed(1);
  return `${text} ${units[unit]}`;
}
