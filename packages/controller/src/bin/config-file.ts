/**
 * @module
 * The controller's configuration file: the two keys of the reference's `jumpstarter-controller` ConfigMap that
 * apply without Kubernetes. `router` is the router map (`<name>: {endpoint, labels}`); `config` holds
 * `authentication.internal` (`prefix`, `tokenLifetime`), `leasePolicy.maxTags`, `hiddenLabels.keys` and
 * `deprecatedLabels.keys`. Unknown keys are refused.
 */
import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import { z } from "zod";
import type { RouterEntry } from "../service/routers.js";
import { parseRouterMap } from "../service/routers.js";
import { parseDuration } from "./durations.js";

/** The settings a config file gives. */
export interface ControllerFileConfig {
  readonly routers?: readonly RouterEntry[];
  readonly internalPrefix?: string;
  readonly tokenLifetimeMs?: number;
  readonly maxTags?: number;
  readonly hiddenLabels?: readonly string[];
  readonly deprecatedLabels?: Readonly<Record<string, string>>;
}

const configSchema = z.strictObject({
  authentication: z
    .strictObject({ internal: z.strictObject({ prefix: z.string().optional(), tokenLifetime: z.string().optional() }).optional() })
    .optional(),
  leasePolicy: z.strictObject({ maxTags: z.number().int().positive().optional() }).optional(),
  hiddenLabels: z.strictObject({ keys: z.array(z.string()) }).optional(),
  deprecatedLabels: z.strictObject({ keys: z.record(z.string(), z.string()) }).optional(),
});

const fileSchema = z.strictObject({ router: z.unknown().optional(), config: z.union([z.string(), z.record(z.string(), z.unknown())]).optional() });

/** Parses the config file text. */
export function parseControllerConfig(text: string): ControllerFileConfig {
  const document = fileSchema.safeParse(parse(text) ?? {});
  if (!document.success) throw new Error(`invalid controller config: ${z.prettifyError(document.error)}`);
  const { router, config } = document.data;
  const routers = router === undefined ? undefined : parseRouterMap(JSON.stringify(router));
  const rawConfig = typeof config === "string" ? (parse(config) ?? {}) : (config ?? {});
  const parsed = configSchema.safeParse(rawConfig);
  if (!parsed.success) throw new Error(`invalid controller config: ${z.prettifyError(parsed.error)}`);
  const internal = parsed.data.authentication?.internal;
  return {
    ...(routers ? { routers } : {}),
    ...(internal?.prefix !== undefined ? { internalPrefix: internal.prefix } : {}),
    ...(internal?.tokenLifetime !== undefined ? { tokenLifetimeMs: parseDuration(internal.tokenLifetime) } : {}),
    ...(parsed.data.leasePolicy?.maxTags !== undefined ? { maxTags: parsed.data.leasePolicy.maxTags } : {}),
    ...(parsed.data.hiddenLabels ? { hiddenLabels: parsed.data.hiddenLabels.keys } : {}),
    ...(parsed.data.deprecatedLabels ? { deprecatedLabels: parsed.data.deprecatedLabels.keys } : {}),
  };
}

/** Reads and parses a config file. */
export async function loadControllerConfig(path: string): Promise<ControllerFileConfig> {
  return parseControllerConfig(await readFile(path, "utf8"));
}
