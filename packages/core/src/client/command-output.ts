/**
 * @module
 * Output of `j` driver commands: through the command group's configured writers (commander's
 * `configureOutput()`), so `j` and tests can capture it, else the process streams. Typed structurally so core
 * needs no CLI library.
 */

/** The part of a commander `Command` that command output goes through. */
export interface CommandOutputTarget {
  configureOutput(): { writeOut?: (text: string) => void; writeErr?: (text: string) => void };
}

/** Writers for a command's normal and diagnostic output. */
export interface CommandOutput {
  /** Writes to the group's `writeOut`, else `process.stdout`. */
  readonly out: (text: string) => void;
  /** Writes to the group's `writeErr`, else `process.stderr`. */
  readonly err: (text: string) => void;
}

/** Writers for `group`; the configured writer is looked up at each write, so later configuration applies. */
export function commandOutput(group: CommandOutputTarget): CommandOutput {
  return {
    out: (text) => {
      const writeOut = group.configureOutput().writeOut;
      if (writeOut) writeOut(text);
      else process.stdout.write(text);
    },
    err: (text) => {
      const writeErr = group.configureOutput().writeErr;
      if (writeErr) writeErr(text);
      else process.stderr.write(text);
    },
  };
}
