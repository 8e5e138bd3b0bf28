// A fake authoritative DNS server on loopback (dns2, UDP) for tests: A, AAAA, MX, TXT, CNAME, SRV
// records from a mutable zone. Unknown names answer NXDOMAIN; a known name without the asked
// type answers NOERROR with no records (node:dns reports ENODATA). Point a resolver at
// `server` ("127.0.0.1:port"), e.g. config `dns: { servers: [dns.server] }`.
import dns2 from 'dns2';

const { Packet } = dns2;

// RFC 2782: an SRV target is never compressed, and c-ares refuses one that is (EBADRESP).
// dns2 compresses every name, so its SRV encoder is replaced by one writing the target whole.
interface NameWriter {
  names?: unknown;
  write(value: number, bits: number): void;
}
const srvCodec = (Packet.Resource as unknown as Record<string, { encode: unknown }>).SRV!;
srvCodec.encode = (
  rec: { priority: number; weight: number; port: number; target: string },
  w: NameWriter,
): void => {
  w.write(rec.priority, 16);
  w.write(rec.weight, 16);
  w.write(rec.port, 16);
  const names = w.names;
  w.names = undefined;
  (Packet.Name as unknown as { encode(n: string, w: NameWriter): void }).encode(rec.target, w);
  w.names = names;
};

export interface FakeRecords {
  A?: string[];
  AAAA?: string[];
  /** An exchange of '.' is a null MX (RFC 7505). */
  MX?: { exchange: string; priority: number }[];
  /** Each entry is one TXT record; long values are cut into 255-byte strings. */
  TXT?: string[];
  CNAME?: string;
  SRV?: { priority: number; weight: number; port: number; target: string }[];
}

export interface FakeDns {
  server: string;
  zone: Map<string, FakeRecords>;
  set(name: string, records: FakeRecords): void;
  /** Every question asked so far, as "TYPE name" (lower case, no trailing dot). */
  queries: string[];
  /** Names the server never answers (the client times out). */
  silent: Set<string>;
  close(): Promise<void>;
}

function chunks(s: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i += 255) out.push(s.slice(i, i + 255));
  return out.length ? out : [''];
}

export async function startDns(initial: Record<string, FakeRecords> = {}): Promise<FakeDns> {
  const zone = new Map<string, FakeRecords>();
  const key = (n: string) => n.toLowerCase().replace(/\.$/, '');
  for (const [n, r] of Object.entries(initial)) zone.set(key(n), r);
  const queries: string[] = [];
  const silent = new Set<string>();
  const typeNames = new Map(Object.entries(Packet.TYPE).map(([k, v]) => [v as number, k]));
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      const q = request.questions[0];
      if (!q) return send(response);
      queries.push(`${typeNames.get(q.type) ?? q.type} ${key(q.name)}`);
      if (silent.has(key(q.name))) return;
      const rec = zone.get(key(q.name));
      if (!rec) {
        response.header.rcode = Packet.RCODE.NXDOMAIN;
        return send(response);
      }
      const base = { name: q.name, class: Packet.CLASS.IN, ttl: 60 };
      // Plain objects are what dns2 encodes; its types ask for class instances.
      const answers = response.answers as object[];
      if (q.type === Packet.TYPE.A)
        for (const address of rec.A ?? []) answers.push({ ...base, type: Packet.TYPE.A, address });
      if (q.type === Packet.TYPE.AAAA)
        for (const address of rec.AAAA ?? [])
          answers.push({ ...base, type: Packet.TYPE.AAAA, address });
      if (q.type === Packet.TYPE.MX)
        for (const mx of rec.MX ?? [])
          answers.push({
            ...base,
            type: Packet.TYPE.MX,
            exchange: mx.exchange === '.' ? '' : mx.exchange,
            priority: mx.priority,
          });
      if (q.type === Packet.TYPE.TXT)
        for (const t of rec.TXT ?? [])
          answers.push({ ...base, type: Packet.TYPE.TXT, data: chunks(t) });
      if (q.type === Packet.TYPE.CNAME && rec.CNAME)
        answers.push({ ...base, type: Packet.TYPE.CNAME, domain: rec.CNAME });
      if (q.type === Packet.TYPE.SRV)
        for (const srv of rec.SRV ?? []) answers.push({ ...base, type: Packet.TYPE.SRV, ...srv });
      send(response);
    },
  });
  const addrs = await server.listen({ udp: { port: 0, address: '127.0.0.1' } });
  const port = addrs.udp?.port;
  if (!port) throw new Error('fake DNS did not start');
  return {
    server: `127.0.0.1:${port}`,
    zone,
    set: (name, records) => zone.set(key(name), records),
    queries,
    silent,
    close: () => server.close(),
  };
}
