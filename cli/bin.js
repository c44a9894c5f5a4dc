#!/usr/bin/env node
// The `mcp-registry` command: registers the project's TypeScript loader (cli/loader/hooks.mjs),
// then runs cli/main.ts.
import { register } from 'node:module';

register('./loader/hooks.mjs', import.meta.url);
const { runFromProcess } = await import('./main.ts');
await runFromProcess();
