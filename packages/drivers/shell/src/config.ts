/**
 * @module
 * `config:` of the Shell driver, with the reference keys: `methods`, `shell`, `timeout`, `cwd`, `log_level`.
 */
import { z } from "zod";

const MethodSchema = z.union([
  z.string(),
  z
    .object({
      command: z.string().default("echo Hello"),
      description: z.string().optional(),
      timeout: z.number().positive().optional(),
    })
    .strict(),
]);

/** Validates the Shell driver config. */
export const ShellConfigSchema = z
  .object({
    /** Method name → script (a string) or `{command, description, timeout}`. */
    methods: z.record(z.string().min(1), MethodSchema),
    /** Command the script is passed to; the script follows, then `$0` (the method name) and the arguments. */
    shell: z.array(z.string()).min(1, "shell needs at least the program to run").default(["bash", "-c"]),
    /** Default per-call timeout in seconds. */
    timeout: z.number().positive().default(300),
    /** Working directory of the scripts; the exporter's by default. */
    cwd: z.string().min(1).nullish(),
    /** Accepted for compatibility with reference configs. */
    log_level: z.string().regex(/^(debug|info|warning|error|critical)$/i, "log_level must be DEBUG, INFO, WARNING, ERROR or CRITICAL").optional(),
  })
  .strict();

/** `config:` of Shell as written in YAML (defaults may be left out). */
export type ShellConfig = z.input<typeof ShellConfigSchema>;
/** Shell config with defaults applied. */
export type ResolvedShellConfig = z.output<typeof ShellConfigSchema>;
