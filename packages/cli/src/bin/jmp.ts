#!/usr/bin/env node
/**
 * @module
 * The `jmp` binary.
 */
import { enableCompileCache } from "node:module";
import "./quiet-warnings.js";
import "./closed-pipe.js";

enableCompileCache?.();
const { runJmp } = await import("../jmp/main.js");
process.exit(await runJmp());
