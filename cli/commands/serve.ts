import { loadConfig } from '../../core/config.js';
import type { CommandContext } from '../io.js';
import { serve } from '../serve.js';

/** `serve`, `api`, `builder`, `cdn`: the long-lived processes (cli/serve.ts). */
export async function run({ name, io }: CommandContext): Promise<number> {
  const mode = name === 'api' || name === 'builder' || name === 'cdn' ? name : 'all';
  return serve(loadConfig(io.env), io, mode);
}
