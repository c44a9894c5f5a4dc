import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * An HTTPS server on loopback with a certificate from a throwaway test CA (made with openssl for the
 * names given, plus 127.0.0.1 and ::1). The registry trusts the CA through NODE_EXTRA_CA_CERTS (a
 * subprocess) or the providers' `ca` dependency (in process). Routes map a path to a handler.
 */
export interface HttpsPeer {
  port: number;
  caPem: string;
  caFile: string;
  routes: Map<string, { status: number; body: string; headers?: Record<string, string> }>;
  requests: { host: string | undefined; path: string }[];
  close(): Promise<void>;
}

export async function startHttpsPeer(names: string[]): Promise<HttpsPeer> {
  const dir = mkdtempSync(join(tmpdir(), 'mcpreg-ca-'));
  const file = (name: string) => join(dir, name);
  const run = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.crt'),
    '-days',
    '2',
    '-subj',
    '/CN=mcp-registry test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  run(
    'req',
    ...ec,
    '-keyout',
    file('server.key'),
    '-out',
    file('server.csr'),
    '-subj',
    `/CN=${names[0] ?? 'localhost'}`,
  );
  const san = [...names.map((n) => `DNS:${n}`), 'IP:127.0.0.1', 'IP:::1'].join(',');
  writeFileSync(
    file('ext.cnf'),
    `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`,
  );
  run(
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.crt'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-out',
    file('server.crt'),
    '-days',
    '2',
    '-extfile',
    file('ext.cnf'),
  );
  const caPem = readFileSync(file('ca.crt'), 'utf8');
  const routes: HttpsPeer['routes'] = new Map();
  const requests: HttpsPeer['requests'] = [];
  const server: Server = createServer(
    { key: readFileSync(file('server.key')), cert: readFileSync(file('server.crt')) },
    (req, res) => {
      const path = new URL(req.url ?? '/', 'https://localhost').pathname;
      requests.push({ host: req.headers.host, path });
      const route = routes.get(path);
      if (!route) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        return res.end('not found');
      }
      res.writeHead(route.status, { 'content-type': 'text/plain', ...route.headers });
      res.end(route.body);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    caPem,
    caFile: file('ca.crt'),
    routes,
    requests,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
