/**
 * @module
 * The ExporterConfig model (`jumpstarter.dev/v1alpha1`, kind `ExporterConfig`) and its validation. Unknown
 * top-level keys are ignored like the reference; unknown keys inside `export:` entries and hooks are rejected.
 */
import { z } from "zod";
import type { SchemaIssue } from "./issues.js";
import { validateExport } from "./driver-entry.js";
import type { DriverEntryConfig } from "./driver-entry.js";

/** What to do when a hook fails. */
export type HookFailureAction = "warn" | "endLease" | "exit";

/** One lifecycle hook (`hooks.beforeLease` / `hooks.afterLease`). */
export interface HookConfig {
  /** Inline script text, or the path of an existing file. */
  readonly script: string;
  /** Interpreter; `/bin/sh` (or by file extension) when absent. */
  readonly exec?: string;
  /** Seconds before the hook is killed. */
  readonly timeout: number;
  readonly onFailure: HookFailureAction;
}

/** A validated exporter configuration. */
export interface ExporterConfig {
  readonly apiVersion: "jumpstarter.dev/v1alpha1";
  readonly kind: "ExporterConfig";
  readonly metadata: { readonly namespace: string | null; readonly name: string };
  readonly endpoint: string | null;
  readonly token: string | null;
  /** `ca` is a base64-encoded PEM bundle. */
  readonly tls: { readonly ca: string; readonly insecure: boolean };
  readonly grpcOptions: Readonly<Record<string, string | number>>;
  readonly description?: string;
  readonly motd?: string;
  readonly export: Readonly<Record<string, DriverEntryConfig>>;
  readonly hooks: { readonly beforeLease?: HookConfig; readonly afterLease?: HookConfig };
  readonly failureDetection: { readonly maxRapidFailures: number; readonly rapidFailureWindow: number };
  readonly exitOnLeaseEnd: boolean;
}

const hookSchema = z
  .preprocess(
    (value) => {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
      const { on_failure: snake, ...rest } = value as Record<string, unknown>;
      return snake !== undefined && rest["onFailure"] === undefined ? { ...rest, onFailure: snake } : value;
    },
    z
      .object({
        script: z.string(),
        exec: z.string().optional(),
        timeout: z.number().int().positive().default(120),
        onFailure: z.enum(["warn", "endLease", "exit"]).default("warn"),
      })
      .strict(),
  )
  .nullish();

const hooksSchema = z
  .preprocess(
    (value) => {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return value ?? {};
      const { before_lease, after_lease, ...rest } = value as Record<string, unknown>;
      return { beforeLease: rest["beforeLease"] ?? before_lease, afterLease: rest["afterLease"] ?? after_lease };
    },
    z.object({ beforeLease: hookSchema, afterLease: hookSchema }),
  )
  .default({ beforeLease: undefined, afterLease: undefined });

const topLevelSchema = z.looseObject({
  apiVersion: z.literal("jumpstarter.dev/v1alpha1").default("jumpstarter.dev/v1alpha1"),
  kind: z.literal("ExporterConfig").default("ExporterConfig"),
  metadata: z.looseObject({ namespace: z.string().nullable(), name: z.string() }),
  endpoint: z.string().nullish(),
  token: z.string().nullish(),
  tls: z
    .looseObject({ ca: z.string().default(""), insecure: z.boolean().default(false) })
    .nullish(),
  grpcOptions: z.record(z.string(), z.union([z.string(), z.number().int()])).nullish(),
  description: z.string().nullish(),
  motd: z.string().nullish(),
  export: z.record(z.string(), z.unknown()).nullish(),
  hooks: hooksSchema,
  failureDetection: z
    .looseObject({
      maxRapidFailures: z.number().int().min(1).default(5),
      rapidFailureWindow: z.number().int().min(0).default(60),
    })
    .nullish(),
  exitOnLeaseEnd: z.boolean().nullish(),
});

/** Result of {@link validateExporterConfig}. */
export type ExporterConfigResult =
  | { readonly success: true; readonly data: ExporterConfig }
  | { readonly success: false; readonly issues: readonly SchemaIssue[] };

/** Validates a parsed YAML value as an ExporterConfig, filling defaults. */
export function validateExporterConfig(value: unknown): ExporterConfigResult {
  const parsed = topLevelSchema.safeParse(value ?? {});
  if (!parsed.success) return { success: false, issues: parsed.error.issues as readonly SchemaIssue[] };
  const top = parsed.data;
  const exported = validateExport(top.export ?? {}, ["export"]);
  if (!exported.success) return { success: false, issues: exported.issues };
  const hooks: { beforeLease?: HookConfig; afterLease?: HookConfig } = {};
  if (top.hooks.beforeLease) hooks.beforeLease = stripUndefined(top.hooks.beforeLease);
  if (top.hooks.afterLease) hooks.afterLease = stripUndefined(top.hooks.afterLease);
  const data: ExporterConfig = {
    apiVersion: top.apiVersion,
    kind: top.kind,
    metadata: { namespace: top.metadata.namespace, name: top.metadata.name },
    endpoint: top.endpoint ?? null,
    token: top.token ?? null,
    tls: { ca: top.tls?.ca ?? "", insecure: top.tls?.insecure ?? false },
    grpcOptions: top.grpcOptions ?? {},
    ...(top.description != null ? { description: top.description } : {}),
    ...(top.motd != null ? { motd: top.motd } : {}),
    export: exported.entries,
    hooks,
    failureDetection: {
      maxRapidFailures: top.failureDetection?.maxRapidFailures ?? 5,
      rapidFailureWindow: top.failureDetection?.rapidFailureWindow ?? 60,
    },
    exitOnLeaseEnd: top.exitOnLeaseEnd ?? false,
  };
  return { success: true, data };
}

function stripUndefined(hook: { script: string; exec?: string | undefined; timeout: number; onFailure: HookFailureAction }): HookConfig {
  return { script: hook.script, ...(hook.exec !== undefined ? { exec: hook.exec } : {}), timeout: hook.timeout, onFailure: hook.onFailure };
}
