/**
 * @module
 * The routers a controller hands out on Dial (the spec's `router` config map) and the choice among them by
 * label match against the exporter (spec §6).
 */
import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import { z } from "zod";

/** One router of the `router` map. */
export interface RouterEntry {
  readonly name: string;
  /** `host:port`, returned verbatim to clients and exporters. */
  readonly endpoint: string;
  readonly labels: Readonly<Record<string, string>>;
}

const routerMapSchema = z.record(
  z.string(),
  z.strictObject({ endpoint: z.string().min(1), labels: z.record(z.string(), z.string()).optional() }),
);

/** Parses the `router` YAML map (`<name>: {endpoint, labels}`). */
export function parseRouterMap(text: string): RouterEntry[] {
  const document: unknown = parse(text) ?? {};
  const root = typeof document === "object" && document !== null && "router" in document ? (document as { router: unknown }).router : document;
  const parsed = routerMapSchema.safeParse(root);
  if (!parsed.success) throw new Error(`invalid router config: ${z.prettifyError(parsed.error)}`);
  return Object.entries(parsed.data).map(([name, entry]) => ({ name, endpoint: entry.endpoint, labels: entry.labels ?? {} }));
}

/** Reads a router config file (either the bare map or a document with a `router:` key). */
export async function loadRouterMap(path: string): Promise<RouterEntry[]> {
  return parseRouterMap(await readFile(path, "utf8"));
}

/**
 * How well a router fits an exporter: the number of exporter labels the router carries with the same value, or −1
 * when it lacks any of them (the reference's rule).
 */
export function routerScore(routerLabels: Readonly<Record<string, string>>, exporterLabels: Readonly<Record<string, string>>): number {
  let score = 0;
  for (const [key, value] of Object.entries(exporterLabels)) {
    if (routerLabels[key] !== value) return -1;
    score++;
  }
  return score;
}

/** The best router for an exporter: highest score, ties broken by router name; undefined when there is none. */
export function chooseRouter(routers: readonly RouterEntry[], exporterLabels: Readonly<Record<string, string>>): RouterEntry | undefined {
  let best: RouterEntry | undefined;
  let bestScore = -Infinity;
  for (const router of [...routers].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const score = routerScore(router.labels, exporterLabels);
    if (score > bestScore) {
      best = router;
      bestScore = score;
    }
  }
  return best;
}
