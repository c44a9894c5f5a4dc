import { loadConfig } from '../../core/config.js';
import type { CommandContext } from '../io.js';
import { serve } from '../serve.js';

/** `serve`, `api`, `builder`, `cdn`: the long-lived processes (cli/serve.ts). */
export async function run({ name, io, options }: CommandContext): Promise<number> {
  const mode = name === 'api' || name === 'builder' || name === 'cdn' ? name : 'all';
  const nginx = options.nginx === true ? { api: options.api as string | undefined } : undefined;
  if (options.api !== undefined && !nginx) {
    io.stderr('error: --api goes with --nginx (the Node local CDN is given the API in `serve`)');
    return 2;
  }
  return serve(loadConfig(io.env), io, mode, nginx);
}
