#!/usr/bin/env node
// The `mcp-registry` command: loads the TypeScript sources through tsx.
import { register } from 'tsx/esm/api';

register();
const { runFromProcess } = await import('./main.ts');
await runFromProcess();
