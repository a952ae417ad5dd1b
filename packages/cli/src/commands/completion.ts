/**
 * @module
 * `jmp completion bash|zsh|fish`: static completion of the command tree (subcommands, aliases, options),
 * generated from the commander definitions themselves.
 */
import { Command } from "@commander-js/extra-typings";
import type { CommandUnknownOpts } from "@commander-js/extra-typings";
import type { Command as AnyCommand } from "commander";
import { UsageError } from "../errors.js";

/** Completion words per command path (space-separated subcommand names, aliases included). */
export type CompletionTable = ReadonlyMap<string, { readonly commands: readonly string[]; readonly options: readonly string[] }>;

/** Builds the completion table of `root`. */
export function completionTable(root: AnyCommand): CompletionTable {
  const table = new Map<string, { commands: string[]; options: string[] }>();
  const visit = (command: AnyCommand, path: string) => {
    const children = command.commands.filter((child) => child.name() !== "help");
    const options = command.options.flatMap((option) => [option.long, option.short].filter((flag): flag is string => Boolean(flag)));
    table.set(path, { commands: children.flatMap((child) => [child.name(), ...child.aliases()]), options: [...options, "--help"] });
    for (const child of children) {
      for (const name of [child.name(), ...child.aliases()]) visit(child, path ? `${path} ${name}` : name);
    }
  };
  visit(root, "");
  return table;
}

function bashScript(name: string, table: CompletionTable): string {
  const fn = `_${name.replace(/\W/g, "_")}_complete`;
  const cases = [...table.entries()]
    .map(([path, words]) => `    "${path}") echo "${[...words.commands, ...words.options].join(" ")}";;`)
    .join("\n");
  const childCases = [...table.entries()].map(([path, words]) => `    "${path}") echo "${words.commands.join(" ")}";;`).join("\n");
  return `# ${name} completion for bash (and zsh through bashcompinit)
${fn}_words() {
  case "$1" in
${cases}
    *) return 1;;
  esac
}
${fn}_children() {
  case "$1" in
${childCases}
  esac
}
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" word i
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    case " $(${fn}_children "$path") " in
      *" $word "*) path="\${path:+$path }$word";;
    esac
  done
  COMPREPLY=($(compgen -W "$(${fn}_words "$path")" -- "$cur"))
}
complete -o default -F ${fn} ${name}
`;
}

function zshScript(name: string, table: CompletionTable): string {
  return `#compdef ${name}
autoload -U +X bashcompinit && bashcompinit
${bashScript(name, table)}`;
}

function fishScript(name: string, table: CompletionTable): string {
  const fn = `__${name.replace(/\W/g, "_")}`;
  const cases = [...table.entries()].map(([path, words]) => `    case '${path}'\n      printf '%s\\n' ${words.commands.join(" ")}`).join("\n");
  const completions = [...table.entries()]
    .flatMap(([path, words]) => [
      ...(words.commands.length ? [`complete -c ${name} -f -n 'test "(${fn}_path)" = "${path}"' -a '${words.commands.join(" ")}'`] : []),
      ...words.options
        .filter((flag) => flag.startsWith("--"))
        .map((flag) => `complete -c ${name} -n 'test "(${fn}_path)" = "${path}"' -l ${flag.slice(2)}`),
    ])
    .join("\n");
  return `# ${name} completion for fish
function ${fn}_children
  switch "$argv[1]"
${cases}
  end
end
function ${fn}_path
  set -l tokens (commandline -opc)
  set -e tokens[1]
  set -l path ''
  for token in $tokens
    if contains -- $token (${fn}_children "$path")
      if test -z "$path"
        set path $token
      else
        set path "$path $token"
      end
    end
  end
  echo $path
end
${completions}
`;
}

/** The completion script of `shell` for program `root`. */
export function completionScript(shell: string, root: AnyCommand): string {
  const table = completionTable(root);
  const name = root.name();
  if (shell === "bash") return bashScript(name, table);
  if (shell === "zsh") return zshScript(name, table);
  if (shell === "fish") return fishScript(name, table);
  throw new UsageError(`unsupported shell ${JSON.stringify(shell)} (choose bash, zsh or fish)`);
}

/** Defines `jmp completion SHELL`. */
export function completionCommand(): CommandUnknownOpts {
  return new Command("completion")
    .description("Print a shell completion script: eval \"$(jmp completion bash)\"")
    .argument("<shell>", "bash, zsh or fish")
    .action((shell, _options, command) => {
      let root: AnyCommand = command as unknown as AnyCommand;
      while (root.parent) root = root.parent;
      process.stdout.write(completionScript(shell, root));
    });
}
