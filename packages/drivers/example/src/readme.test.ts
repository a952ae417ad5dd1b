import assert from "node:assert/strict";
import { readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { it } from "node:test";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const here = dirname(fileURLToPath(import.meta.url));

it("runs the README's TypeScript snippet as written", async () => {
  const readme = await readFile(join(here, "..", "README.md"), "utf8");
  const match = /```ts\n([\s\S]*?)```/.exec(readme);
  assert.ok(match, "README has a ts code block");
  const { outputText, diagnostics } = ts.transpileModule(`${match[1]}\nexport const ran = true;\n`, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
    reportDiagnostics: true,
  });
  assert.deepEqual(diagnostics ?? [], []);
  const file = join(here, `readme-snippet-${process.pid}.mjs`);
  await writeFile(file, outputText);
  try {
    assert.equal(((await import(file)) as { ran: boolean }).ran, true);
  } finally {
    await rm(file, { force: true });
  }
});
