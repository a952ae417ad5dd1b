/**
 * @module
 * Starting the user's shell (or a command) inside a jmp session (spec exporter §6): `$SHELL` with its own
 * prompt, or the COMMAND given after `--`; signals sent to jmp are forwarded to it first.
 */
import { spawn } from "node:child_process";
import { constants, homedir } from "node:os";
import { basename } from "node:path";
import { CliError } from "../errors.js";

/** What to start and how. */
export interface LaunchOptions {
  /** Environment of the child (complete, not merged). */
  readonly env: NodeJS.ProcessEnv;
  /** Run this command directly instead of a shell. */
  readonly command?: readonly string[];
  /** Prompt context (`local`, the exporter name, `direct`). */
  readonly context: string;
  /** Load the shell's rc files (client config `shell.use_profiles`). */
  readonly useProfiles?: boolean;
  /** Sends SIGHUP to the child when it aborts (the lease ended under the shell). */
  readonly hangup?: AbortSignal;
}

const forwarded: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** argv and extra environment for `$SHELL` (bash when unset). */
export function shellInvocation(shell: string, context: string, useProfiles = false): { argv: string[]; env: Record<string, string> } {
  const name = basename(shell);
  if (name === "bash") {
    return {
      argv: [shell, ...(useProfiles ? [] : ["--norc", "--noprofile"])],
      env: { PS1: `\\[\\e[1;36m\\]jmp\\[\\e[0m\\](\\[\\e[33m\\]${context}\\[\\e[0m\\]) \\W \\$ ` },
    };
  }
  if (name === "zsh") {
    return {
      argv: [shell, ...(useProfiles ? [] : ["--no-rcs"]), "-o", "inc_append_history", "-o", "share_history"],
      env: { PS1: `%F{cyan}jmp%f(%F{yellow}${context}%f) %1~ %# `, HISTFILE: process.env["HISTFILE"] ?? `${homedir()}/.zsh_history` },
    };
  }
  if (name === "fish") {
    const prompt = `function fish_prompt; set_color cyan; echo -n jmp; set_color normal; echo -n '(${context.replaceAll("'", "")}) '; echo -n (prompt_pwd)' > '; end`;
    return { argv: [shell, "--init-command", prompt], env: {} };
  }
  return { argv: [shell], env: {} };
}

/**
 * Runs the shell or command to completion and returns its exit code (128+N when killed by signal N; 127
 * when the program does not exist, 126 when it cannot be executed).
 */
export async function launchShell(options: LaunchOptions): Promise<number> {
  const isCommand = options.command !== undefined && options.command.length > 0;
  let argv: string[];
  let env: NodeJS.ProcessEnv = options.env;
  if (isCommand) argv = [...options.command!];
  else {
    const shell = options.env["SHELL"] || "bash";
    const invocation = shellInvocation(shell, options.context, options.useProfiles);
    argv = invocation.argv;
    env = { ...options.env, ...invocation.env };
  }
  const child = spawn(argv[0]!, argv.slice(1), { stdio: "inherit", env });
  const forward = (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of forwarded) process.on(signal, forward);
  const hangup = () => forward("SIGHUP");
  options.hangup?.addEventListener("abort", hangup, { once: true });
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once("error", (error: NodeJS.ErrnoException) => {
        const what = isCommand ? argv[0]! : `shell ${argv[0]!}`;
        if (error.code === "ENOENT") reject(new CliError(`cannot run ${what}: command not found`, 127, { cause: error }));
        else if (error.code === "EACCES" || error.code === "ENOEXEC" || error.code === "EISDIR") {
          reject(new CliError(`cannot run ${what}: permission denied or not executable`, 126, { cause: error }));
        } else reject(new CliError(`cannot run ${what}: ${error.message}`, 126, { cause: error }));
      });
      child.once("exit", (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 1)));
    });
  } finally {
    for (const signal of forwarded) process.off(signal, forward);
    options.hangup?.removeEventListener("abort", hangup);
  }
}
