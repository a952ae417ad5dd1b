# Source this file to put the project's pinned Node 24 first on PATH.
# Machines whose system Node is older than 22.13 (Debian's, or Node 20 on CI) get Node from the
# npm package `node`, installed under tools/node by scripts/setup.sh.
_jmp_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -x "$_jmp_root/tools/node/node_modules/.bin/node" ]; then
  export PATH="$_jmp_root/tools/node/node_modules/.bin:$PATH"
fi
export PATH="$_jmp_root/bin:$_jmp_root/node_modules/.bin:$PATH"
unset _jmp_root
