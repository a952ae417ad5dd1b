/**
 * @module
 * The ClientConfig file (`jumpstarter.dev/v1alpha1`, kind `ClientConfig`; spec controller §9): the same keys
 * as the reference, unknown keys rejected at the top level and in `metadata`, `drivers` and `leases` (the
 * reference refuses such files too), saved with null fields and an all-default `leases` block left out.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { z } from "zod";
import { issuesToError } from "../config/issues.js";
import type { SchemaIssue } from "../config/issues.js";
import { parseYaml } from "../config/yaml-source.js";
import { CliError, ConfigError } from "../errors.js";

/** A validated client configuration. */
export interface ClientConfig {
  readonly apiVersion: "jumpstarter.dev/v1alpha1";
  readonly kind: "ClientConfig";
  readonly metadata: { readonly namespace: string; readonly name: string };
  /** Controller `host:port`. */
  readonly endpoint: string | null;
  /** `ca` is a base64-encoded PEM bundle. */
  readonly tls: { readonly ca: string; readonly insecure: boolean };
  readonly token: string | null;
  readonly refreshToken: string | null;
  readonly grpcOptions: Readonly<Record<string, string | number>>;
  /** Client classes `j` may load: glob patterns, or everything when `unsafe`. */
  readonly drivers: { readonly allow: readonly string[]; readonly unsafe: boolean };
  readonly shell: { readonly useProfiles: boolean };
  /** Seconds. */
  readonly leases: { readonly acquisitionTimeout: number; readonly dialTimeout: number; readonly retryTimeout: number };
}

/** A config and where it came from. */
export interface LoadedClientConfig {
  readonly config: ClientConfig;
  /** The alias (file name without `.yaml`) when it lives in the user directory. */
  readonly alias?: string;
  /** The file, unless the config came from the environment. */
  readonly path?: string;
}

/** Lease timing defaults (seconds). */
export const LEASE_DEFAULTS = { acquisitionTimeout: 7200, dialTimeout: 60, retryTimeout: 300 } as const;

/** What a new ClientConfig is given; the rest takes its defaults (`leases` too, unless given). */
export interface NewClientConfig {
  readonly namespace: string;
  readonly name: string;
  readonly endpoint: string | null;
  readonly tls: ClientConfig["tls"];
  readonly token: string | null;
  readonly drivers: ClientConfig["drivers"];
  readonly leases?: ClientConfig["leases"];
}

/** A ClientConfig with no refresh token, gRPC options or shell profiles. */
export function newClientConfig(values: NewClientConfig): ClientConfig {
  return {
    apiVersion: "jumpstarter.dev/v1alpha1",
    kind: "ClientConfig",
    metadata: { namespace: values.namespace, name: values.name },
    endpoint: values.endpoint,
    tls: { ca: values.tls.ca, insecure: values.tls.insecure },
    token: values.token,
    refreshToken: null,
    grpcOptions: {},
    drivers: { allow: [...values.drivers.allow], unsafe: values.drivers.unsafe },
    shell: { useProfiles: false },
    leases: { ...(values.leases ?? LEASE_DEFAULTS) },
  };
}

/** Driver client patterns from a comma-separated list (`--allow`, `JMP_DRIVERS_ALLOW`): trimmed, empty ones dropped. */
export function parseDriverPatterns(list: string | undefined): string[] {
  return (list ?? "").split(",").map((item) => item.trim()).filter(Boolean);
}

const schema = z.strictObject({
  apiVersion: z.literal("jumpstarter.dev/v1alpha1").default("jumpstarter.dev/v1alpha1"),
  kind: z.literal("ClientConfig").default("ClientConfig"),
  metadata: z.strictObject({ namespace: z.string(), name: z.string() }),
  endpoint: z.string().nullish(),
  tls: z.looseObject({ ca: z.string().default(""), insecure: z.boolean().default(false) }).nullish(),
  token: z.string().nullish(),
  refresh_token: z.string().nullish(),
  grpcOptions: z.record(z.string(), z.union([z.string(), z.number()])).nullish(),
  drivers: z.strictObject({ allow: z.array(z.string()).default([]), unsafe: z.boolean().default(false) }).nullish(),
  shell: z.looseObject({ use_profiles: z.boolean().default(false) }).nullish(),
  leases: z
    .strictObject({
      acquisition_timeout: z.number().int().min(5).default(LEASE_DEFAULTS.acquisitionTimeout),
      dial_timeout: z.number().min(5).default(LEASE_DEFAULTS.dialTimeout),
      retry_timeout: z.number().min(0).default(LEASE_DEFAULTS.retryTimeout),
    })
    .nullish(),
});

/** Result of {@link validateClientConfig}. */
export type ClientConfigResult = { readonly success: true; readonly data: ClientConfig } | { readonly success: false; readonly issues: readonly SchemaIssue[] };

/** Validates a parsed YAML value as a ClientConfig, filling defaults. */
export function validateClientConfig(value: unknown): ClientConfigResult {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) return { success: false, issues: parsed.error.issues as readonly SchemaIssue[] };
  const top = parsed.data;
  return {
    success: true,
    data: {
      apiVersion: top.apiVersion,
      kind: top.kind,
      metadata: { namespace: top.metadata.namespace, name: top.metadata.name },
      endpoint: top.endpoint ?? null,
      tls: { ca: top.tls?.ca ?? "", insecure: top.tls?.insecure ?? false },
      token: top.token ?? null,
      refreshToken: top.refresh_token ?? null,
      grpcOptions: top.grpcOptions ?? {},
      drivers: { allow: top.drivers?.allow ?? [], unsafe: top.drivers?.unsafe ?? false },
      shell: { useProfiles: top.shell?.use_profiles ?? false },
      leases: {
        acquisitionTimeout: top.leases?.acquisition_timeout ?? LEASE_DEFAULTS.acquisitionTimeout,
        dialTimeout: top.leases?.dial_timeout ?? LEASE_DEFAULTS.dialTimeout,
        retryTimeout: top.leases?.retry_timeout ?? LEASE_DEFAULTS.retryTimeout,
      },
    },
  };
}

/** Parses ClientConfig YAML `text` read from `file`. */
export function parseClientConfig(text: string, file: string): ClientConfig {
  const source = parseYaml(text, file);
  if (source.value !== null && (typeof source.value !== "object" || Array.isArray(source.value))) {
    throw new ConfigError({ file, line: 1 }, "expected a mapping (a ClientConfig document)");
  }
  const result = validateClientConfig(source.value);
  if (!result.success) throw issuesToError(source, result.issues);
  return result.data;
}

/** Loads the ClientConfig at `file`. */
export async function loadClientConfigFile(file: string, alias?: string): Promise<LoadedClientConfig> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : String(error);
    throw new CliError(`cannot read client config ${file}: ${reason}`, 1, { cause: error });
  }
  return { config: parseClientConfig(text, file), path, ...(alias !== undefined ? { alias } : {}) };
}

/** The document to write: reference key names, nulls left out, default `shell`/`leases` blocks left out. */
export function clientConfigDocument(config: ClientConfig, options: { withRefreshToken?: boolean } = {}): Record<string, unknown> {
  const document: Record<string, unknown> = {
    apiVersion: config.apiVersion,
    kind: config.kind,
    metadata: { namespace: config.metadata.namespace, name: config.metadata.name },
  };
  if (config.endpoint !== null) document["endpoint"] = config.endpoint;
  document["tls"] = { ca: config.tls.ca, insecure: config.tls.insecure };
  if (config.token !== null) document["token"] = config.token;
  if (config.refreshToken !== null && options.withRefreshToken !== false) document["refresh_token"] = config.refreshToken;
  document["grpcOptions"] = { ...config.grpcOptions };
  document["drivers"] = { allow: [...config.drivers.allow], unsafe: config.drivers.unsafe };
  if (config.shell.useProfiles) document["shell"] = { use_profiles: true };
  const leases = config.leases;
  if (leases.acquisitionTimeout !== LEASE_DEFAULTS.acquisitionTimeout || leases.dialTimeout !== LEASE_DEFAULTS.dialTimeout || leases.retryTimeout !== LEASE_DEFAULTS.retryTimeout) {
    document["leases"] = { acquisition_timeout: leases.acquisitionTimeout, dial_timeout: leases.dialTimeout, retry_timeout: leases.retryTimeout };
  }
  return document;
}

const truthy = new Set(["1", "true", "yes", "on"]);

/**
 * The env-only config (`JMP_NAMESPACE` + `JMP_NAME`, with `JMP_ENDPOINT`, `JMP_TOKEN`, `JMP_DRIVERS_ALLOW`,
 * `JMP_DRIVERS_UNSAFE`, `JMP_GRPC_INSECURE`, `JMP_RETRY_TIMEOUT`, `JMP_DIAL_TIMEOUT`), or undefined.
 */
export function clientConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ClientConfig | undefined {
  const namespace = env["JMP_NAMESPACE"];
  const name = env["JMP_NAME"];
  if (!namespace || !name) return undefined;
  const allow = parseDriverPatterns(env["JMP_DRIVERS_ALLOW"]);
  const unsafe = allow.includes("UNSAFE") || truthy.has((env["JMP_DRIVERS_UNSAFE"] ?? "").toLowerCase());
  const insecure = [env["JMP_GRPC_INSECURE"], env["JUMPSTARTER_GRPC_INSECURE"]].some((value) => truthy.has((value ?? "").toLowerCase()));
  const seconds = (value: string | undefined, fallback: number) => {
    const number = Number(value);
    return value && Number.isFinite(number) ? number : fallback;
  };
  return newClientConfig({
    namespace,
    name,
    endpoint: env["JMP_ENDPOINT"] || null,
    tls: { ca: "", insecure },
    token: env["JMP_TOKEN"] || null,
    drivers: { allow: allow.filter((item) => item !== "UNSAFE"), unsafe },
    leases: {
      acquisitionTimeout: LEASE_DEFAULTS.acquisitionTimeout,
      dialTimeout: seconds(env["JMP_DIAL_TIMEOUT"], LEASE_DEFAULTS.dialTimeout),
      retryTimeout: seconds(env["JMP_RETRY_TIMEOUT"], LEASE_DEFAULTS.retryTimeout),
    },
  });
}

/** `JMP_DRIVERS_ALLOW` for a shell started with `config`. */
export function driversAllowValue(config: ClientConfig): string {
  return config.drivers.unsafe ? "UNSAFE" : config.drivers.allow.join(",");
}
