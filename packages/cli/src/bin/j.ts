#!/usr/bin/env node
/**
 * @module
 * The `j` binary: drive the exporter of the surrounding `jmp shell`.
 */
import { enableCompileCache } from "node:module";
import "./quiet-warnings.js";
import "./closed-pipe.js";

enableCompileCache?.();
const { runJ } = await import("../j/main.js");
process.exit(await runJ());
