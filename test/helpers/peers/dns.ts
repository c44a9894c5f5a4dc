import { createServer as createTcp } from 'node:net';
import dns2 from 'dns2';

/**
 * A DNS server on loopback (dns2, UDP and TCP on the same port: c-ares retries truncated answers
 * over TCP) answering TXT, A and AAAA from maps the test fills; unknown names get NXDOMAIN. The
 * registry is pointed at it with DNS_SERVERS. Names are matched lower-cased (dns2 lower-cases them).
 */
export interface DnsPeer {
  server: string;
  txt: Map<string, string[]>;
  a: Map<string, string[]>;
  aaaa: Map<string, string[]>;
  queries: { name: string; type: number }[];
  close(): Promise<void>;
}

const { Packet } = dns2;

export async function startDnsPeer(): Promise<DnsPeer> {
  const txt = new Map<string, string[]>();
  const a = new Map<string, string[]>();
  const aaaa = new Map<string, string[]>();
  const queries: DnsPeer['queries'] = [];
  const server = dns2.createServer({
    udp: true,
    tcp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      const [question] = request.questions;
      if (!question) return send(response);
      const name = question.name.toLowerCase();
      queries.push({ name, type: question.type });
      const known = txt.has(name) || a.has(name) || aaaa.has(name);
      if (!known) response.header.rcode = 3; // NXDOMAIN
      const answer = (type: number, data: Record<string, unknown>) =>
        response.answers.push({
          name: question.name,
          type,
          class: Packet.CLASS.IN,
          ttl: 1,
          ...data,
        } as never);
      if (question.type === Packet.TYPE.TXT) {
        for (const value of txt.get(name) ?? [])
          answer(Packet.TYPE.TXT, { data: value.match(/.{1,255}/g) ?? [''] });
      }
      if (question.type === Packet.TYPE.A)
        for (const address of a.get(name) ?? []) answer(Packet.TYPE.A, { address });
      if (question.type === Packet.TYPE.AAAA) {
        for (const address of aaaa.get(name) ?? []) answer(Packet.TYPE.AAAA, { address });
      }
      send(response);
    },
  });
  const port = await freeTcpPort();
  await server.listen({ udp: { port, address: '127.0.0.1' }, tcp: { port, address: '127.0.0.1' } });
  return {
    server: `127.0.0.1:${port}`,
    txt,
    a,
    aaaa,
    queries,
    close: async () => {
      await server.close();
    },
  };
}

function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createTcp();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
