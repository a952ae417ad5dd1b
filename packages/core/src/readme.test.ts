import assert from "node:assert/strict";
import { readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { it } from "node:test";
import ts from "typescript";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, "..", "..", "..");

it("runs the README's 'Writing a driver' snippet as written", async () => {
  const readme = await readFile(join(repoRoot, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Writing a driver"));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  assert.ok(match, "README has a ts code block under 'Writing a driver'");
  const source = `${match[1]}\nexport const snippetResult = "ran";\n`;
  const { outputText, diagnostics } = ts.transpileModule(source, {
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      experimentalDecorators: true,
    },
    reportDiagnostics: true,
  });
  assert.deepEqual(diagnostics ?? [], []);
  const file = join(here, `readme-snippet-${process.pid}.mjs`);
  await writeFile(file, outputText);
  try {
    const module = (await import(file)) as { snippetResult: string };
    assert.equal(module.snippetResult, "ran");
  } finally {
    await rm(file, { force: true });
  }
});
