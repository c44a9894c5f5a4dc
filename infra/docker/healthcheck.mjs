// The image's HEALTHCHECK: asks the process in this container whether it is healthy. Which process
// that is comes from PID 1's command line (`node dist/cli/main.js <command>`), or from the first
// argument (tests): `api` and `serve` answer GET /v0/health on PORT, `cdn` serves the tree on
// CDN_PORT; the builder has no port (its health is the API's builder lag and the build-lag alarm),
// so for it a running container is a healthy one. Exit 0 healthy, 1 not.
import { readFileSync } from 'node:fs';

function commandOfPid1() {
  try {
    const argv = readFileSync('/proc/1/cmdline', 'utf8').split('\0').filter(Boolean);
    const main = argv.findIndex((arg) => arg.endsWith('main.js'));
    return main === -1 ? undefined : argv[main + 1];
  } catch {
    return undefined;
  }
}

const command = process.argv[2] ?? commandOfPid1() ?? 'api';
const port = (name, fallback) => Number(process.env[name] || fallback);
const targets = {
  api: `http://127.0.0.1:${port('PORT', 8080)}/v0/health`,
  serve: `http://127.0.0.1:${port('PORT', 8080)}/v0/health`,
  cdn: `http://127.0.0.1:${port('CDN_PORT', 8081)}/v0.1/servers`,
};
const url = targets[command];
if (url === undefined) process.exit(0);
try {
  const response = await fetch(url, { signal: AbortSignal.timeout(4000) });
  // The CDN answers 404 problem+json before the first build; only a 5xx or no answer is unhealthy.
  const healthy = command === 'cdn' ? response.status < 500 : response.ok;
  if (!healthy) process.stderr.write(`${url}: ${response.status}\n`);
  process.exit(healthy ? 0 : 1);
} catch (e) {
  process.stderr.write(`${url}: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
