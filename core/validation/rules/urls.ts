/** URL helpers for the rules: parsing without exceptions, `{var}` templates, and local-host detection. */

export function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** A `{name}` placeholder of a URL template: where it starts and ends (after the `}`) and its name. */
interface TemplateVariable {
  start: number;
  end: number;
  name: string;
}

/**
 * The `{…}` placeholders of a template, leftmost first and not overlapping, each a `{`, at least one
 * character that is not `}`, then the first `}` (what `/\{([^}]+)\}/g` finds). A hand-written scan:
 * that regex backtracks over a run of `{` with no `}` after it (quadratic: 200,000 `{` took 80 s).
 */
function scanTemplate(url: string): TemplateVariable[] {
  const found: TemplateVariable[] = [];
  let from = 0;
  for (;;) {
    const open = url.indexOf('{', from);
    if (open === -1) return found;
    const close = url.indexOf('}', open + 1);
    if (close === -1) return found; // no `}` later: no later `{` can close either
    if (close === open + 1) {
      from = open + 1; // `{}` is not a placeholder
      continue;
    }
    // The first `}` after this `{` closes it, even with other `{` in between.
    found.push({ start: open, end: close + 1, name: url.slice(open + 1, close) });
    from = close + 1;
  }
}

/** Names inside `{…}` in a URL template, e.g. `https://{host}:{port}/mcp` → host, port. */
export function templateVariables(url: string): string[] {
  return scanTemplate(url).map((v) => v.name);
}

/**
 * Substitutes placeholders so a template can be parsed: a variable in port position (after `:`,
 * before `/` or the end) becomes 8080, `{scheme}`/`{protocol}` become http, any other variable a
 * plain label (as the official registry does).
 */
function fillTemplate(url: string): string {
  let out = '';
  let at = 0;
  for (const v of scanTemplate(url)) {
    const next = url[v.end];
    const inPortPosition = url[v.start - 1] === ':' && (next === undefined || next === '/');
    const fill = inPortPosition
      ? '8080'
      : v.name === 'scheme' || v.name === 'protocol'
        ? 'http'
        : 'placeholder';
    out += url.slice(at, v.start) + fill;
    at = v.end;
  }
  return out + url.slice(at);
}

/** The parsed URL when the (filled-in) template is an absolute http(s) URL with a host. */
export function parseHttpTemplate(url: string): URL | undefined {
  const parsed = parseUrl(fillTemplate(url));
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) return undefined;
  return parsed.hostname === '' ? undefined : parsed;
}

/**
 * True for hosts a public remote must not use: localhost names and loopback, unspecified, private,
 * link-local, shared (CGNAT), multicast and broadcast addresses. WHATWG URL parsing already normalises
 * IPv4 spellings (`2130706433`, `0x7f.1`) to dotted form and IPv6 to its compressed bracketed form.
 */
export function isLocalOrPrivateHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const v4 = parseIpv4(host);
  if (v4 !== undefined) return isNonPublicIpv4(v4);
  if (host.startsWith('[') && host.endsWith(']')) return isNonPublicIpv6(host.slice(1, -1));
  return false;
}

function parseIpv4(host: string): number[] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (m === null) return undefined;
  const octets = m.slice(1).map(Number);
  return octets.every((o) => o <= 255) ? octets : undefined;
}

function isNonPublicIpv4([a = 0, b = 0]: number[]): boolean {
  return (
    a === 0 || // "this network", incl. 0.0.0.0
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) || // shared address space (CGNAT)
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    a >= 224 // multicast, reserved and 255.255.255.255
  );
}

function isNonPublicIpv6(address: string): boolean {
  const words = expandIpv6(address);
  if (words === undefined) return false;
  const [w0 = 0, w1 = 0, w2 = 0, w3 = 0, w4 = 0, w5 = 0, w6 = 0, w7 = 0] = words;
  const firstSixZero = w0 === 0 && w1 === 0 && w2 === 0 && w3 === 0 && w4 === 0;
  if (firstSixZero && w5 === 0 && w6 === 0 && (w7 === 0 || w7 === 1)) return true; // :: and ::1
  if (firstSixZero && w5 === 0xffff) {
    // IPv4-mapped (::ffff:a.b.c.d): judge the embedded IPv4 address.
    return isNonPublicIpv4([w6 >> 8, w6 & 0xff, w7 >> 8, w7 & 0xff]);
  }
  return (
    (w0 & 0xfe00) === 0xfc00 || // unique local fc00::/7
    (w0 & 0xffc0) === 0xfe80 || // link-local fe80::/10
    (w0 & 0xff00) === 0xff00 // multicast ff00::/8
  );
}

/** Eight 16-bit words of an IPv6 address in WHATWG-serialised form (hex words, `::`, no IPv4 tail). */
function expandIpv6(address: string): number[] | undefined {
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string | undefined) =>
    part ? part.split(':').map((w) => Number.parseInt(w, 16)) : [];
  const head = parse(halves[0]);
  const tail = parse(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  const words = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff) ? words : undefined;
}
