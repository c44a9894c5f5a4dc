import type { CommandModule } from './io.js';

/**
 * Every `mcp-registry` command, in one table: name, arguments, options, examples, and a loader.
 * main.ts builds the parser (and every `--help`) from this table alone; a command's module, and
 * whatever it imports (Fastify, knex, PGlite, the AWS SDK, ajv), loads only when that command runs.
 * Adding a command is adding a row and a module under cli/commands/.
 */
export interface OptionSpec {
  /** Commander syntax: `--status <status>`, `-y, --yes`, `--no-wait`. */
  flags: string;
  description: string;
  default?: string | boolean;
  choices?: readonly string[];
}

export type CommandGroup = 'Publishing' | 'Reading' | 'Operating';

export interface CommandSpec {
  name: string;
  /** Commander argument syntax, in order: `[file]`, `<name>`, `[version]`. */
  args?: readonly string[];
  summary: string;
  /** Longer help text; the summary when absent. */
  description?: string;
  group: CommandGroup;
  /** Takes `--registry <url>` (the publisher commands). */
  registry?: boolean;
  /** Takes `--json` (every command that reports something). */
  json?: boolean;
  options?: readonly OptionSpec[];
  examples: readonly string[];
  load(): Promise<CommandModule>;
}

const BUILD_KINDS = ['incremental', 'full', 'snapshot'] as const;

/** `cdn`: the Node local CDN (development), or the same edge function in nginx (cdn/nginx/). */
const CDN_OPTIONS: readonly OptionSpec[] = [
  {
    flags: '--nginx',
    description: 'serve through nginx and its njs module (self-hosting: several times the requests/s)',
  },
  {
    flags: '--api <url>',
    description: 'with --nginx: send every non-read request to this write API (one URL)',
  },
];

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'init',
    summary: 'write a server.json from package.json, pyproject.toml and the git remote',
    description:
      'Writes a server.json (current $schema) from what the project already says: package.json or\n' +
      'pyproject.toml (name, description, version, the npm or PyPI package), the git remote\n' +
      '(repository). Asks for what is missing only on a terminal; every answer has a flag.\n' +
      'Never overwrites an existing file without --force.',
    group: 'Publishing',
    json: true,
    args: ['[file]'],
    options: [
      { flags: '--name <name>', description: 'server name, e.g. io.github.you/weather' },
      { flags: '--description <text>', description: 'one line saying what the server does' },
      { flags: '--version <version>', description: 'the version to publish' },
      { flags: '--repository <url>', description: 'source repository URL' },
      { flags: '--package <type>', description: 'package entry to add', choices: ['npm', 'pypi', 'none'] },
      { flags: '-y, --yes', description: 'ask nothing: take what was detected and the flags' },
      { flags: '--force', description: 'overwrite an existing file' },
    ],
    examples: ['mcp-registry init', 'mcp-registry init --name io.github.you/weather --yes'],
    load: () => import('./commands/init.js'),
  },
  {
    name: 'validate',
    summary: 'check a server.json offline, with the same rules as the registry',
    description:
      'Validates a server.json with the registry’s own validation (JSON schema of its $schema and the\n' +
      'official semantic rules), offline. Prints each issue (path, message, severity, reference);\n' +
      'exit 1 when any is an error.',
    group: 'Publishing',
    json: true,
    args: ['[file]'],
    examples: ['mcp-registry validate', 'mcp-registry validate path/to/server.json --json'],
    load: () => import('./commands/validate.js'),
  },
  {
    name: 'login',
    summary: 'sign in to a registry (github, github-oidc, dns, http, oidc, none)',
    description:
      'Signs in and saves the registry token for this registry URL (file mode 0600 under\n' +
      '$XDG_CONFIG_HOME/mcp-registry). Methods:\n' +
      '  github       GitHub device flow in the browser, or --token / MCP_GITHUB_TOKEN\n' +
      '  github-oidc  inside GitHub Actions (needs `permissions: id-token: write`)\n' +
      '  dns <domain> signs the time with --key; the domain’s TXT record holds the public key\n' +
      '  http <domain> the same, with the key at https://<domain>/.well-known/mcp-registry-auth\n' +
      '  oidc         an administrator’s OIDC ID token (--token)\n' +
      '  none         anonymous, for the io.modelcontextprotocol.anonymous/* namespace (local registries)',
    group: 'Publishing',
    registry: true,
    json: true,
    args: ['<method>', '[domain]'],
    options: [
      { flags: '--token <token>', description: 'github: a GitHub token; oidc: the OIDC ID token' },
      {
        flags: '--key <file>',
        description: 'dns/http: the private key (PEM, or hex as mcp-publisher takes it)',
      },
      {
        flags: '--algorithm <algorithm>',
        description: 'dns/http: expect this key type',
        choices: ['ed25519', 'ecdsap384'],
      },
      {
        flags: '--read-url <url>',
        description: 'where this registry’s read side answers (saved with the login)',
      },
    ],
    examples: [
      'mcp-registry login github',
      'mcp-registry login github-oidc                      # in GitHub Actions',
      'mcp-registry login dns example.com --key mcp-registry-key.pem',
      'mcp-registry login none --registry http://127.0.0.1:8080',
    ],
    load: () => import('./commands/login.js'),
  },
  {
    name: 'logout',
    summary: 'forget the saved login for a registry (or --all)',
    group: 'Publishing',
    registry: true,
    json: true,
    options: [{ flags: '--all', description: 'forget every saved login' }],
    examples: ['mcp-registry logout', 'mcp-registry logout --all'],
    load: () => import('./commands/logout.js'),
  },
  {
    name: 'keygen',
    summary: 'make a key pair for DNS or HTTP sign-in and print the record to publish',
    group: 'Publishing',
    json: true,
    options: [
      {
        flags: '--algorithm <algorithm>',
        description: 'key type',
        choices: ['ed25519', 'ecdsap384'],
        default: 'ed25519',
      },
      {
        flags: '--out <file>',
        description: 'where to write the private key',
        default: 'mcp-registry-key.pem',
      },
      { flags: '--domain <domain>', description: 'show the TXT record and well-known URL for this domain' },
      { flags: '--force', description: 'overwrite an existing key file' },
    ],
    examples: [
      'mcp-registry keygen --domain example.com',
      'mcp-registry keygen --algorithm ecdsap384 --out key.pem',
    ],
    load: () => import('./commands/keygen.js'),
  },
  {
    name: 'verify-domain',
    summary: 'prove you own a domain with a TXT record (request, --check, --list)',
    group: 'Publishing',
    registry: true,
    json: true,
    args: ['[domain]'],
    options: [
      { flags: '--check', description: 'look for the record now and complete the verification' },
      { flags: '--list', description: 'list your domains and their state' },
    ],
    examples: [
      'mcp-registry verify-domain example.com          # prints the mcp-verify= record to add',
      'mcp-registry verify-domain --check example.com',
      'mcp-registry verify-domain --list',
    ],
    load: () => import('./commands/verify-domain.js'),
  },
  {
    name: 'publish',
    summary: 'validate, publish, and wait until the version answers on the read side',
    description:
      'Validates the file locally, signs in again if the saved token expired and the method can do\n' +
      'it unattended, publishes, then waits until the new version answers at its read URL and\n' +
      'prints that URL (on stdout).',
    group: 'Publishing',
    registry: true,
    json: true,
    args: ['[file]'],
    options: [
      { flags: '--no-wait', description: 'do not wait for the version on the read side' },
      { flags: '--timeout <seconds>', description: 'how long to wait for it', default: '120' },
      { flags: '--read-url <url>', description: 'where the registry’s read side answers' },
    ],
    examples: ['mcp-registry publish', 'mcp-registry publish server.json --timeout 300 --json'],
    load: () => import('./commands/publish.js'),
  },
  {
    name: 'status',
    summary: 'mark a version (or every version) active, deprecated or deleted',
    group: 'Publishing',
    registry: true,
    json: true,
    args: ['<name>', '[version]'],
    options: [
      {
        flags: '--status <status>',
        description: 'the new status',
        choices: ['active', 'deprecated', 'deleted'],
      },
      { flags: '--message <text>', description: 'why (shown to users)' },
      { flags: '--all-versions', description: 'every version of the server' },
      { flags: '-y, --yes', description: 'do not ask before changing every version' },
      { flags: '--read-url <url>', description: 'where the registry’s read side answers' },
    ],
    examples: [
      'mcp-registry status io.github.you/weather 1.0.0 --status deprecated --message "use 2.x"',
      'mcp-registry status io.github.you/weather --all-versions --status deleted --yes',
    ],
    load: () => import('./commands/status.js'),
  },
  {
    name: 'search',
    summary: 'find servers by keyword in a registry’s static search index',
    description:
      'Finds servers whose name, title, description, package identifiers or remote hosts have words\n' +
      'starting with every given word (case and accents ignored), best first: exact name, name prefix,\n' +
      'name words, title, description, packages, remotes. Reads the static index over HTTP\n' +
      '(search/index.json and the few objects it names); deprecated servers are marked.',
    group: 'Reading',
    registry: true,
    json: true,
    args: ['<words...>'],
    options: [
      { flags: '--limit <n>', description: 'hits to show (1 to 100)', default: '10' },
      { flags: '--offset <n>', description: 'hits to skip (the next page)', default: '0' },
      { flags: '--read-url <url>', description: 'where the registry’s read side answers' },
    ],
    examples: [
      'mcp-registry search weather',
      'mcp-registry search github issues --limit 5 --json',
      'mcp-registry search filesystem --read-url https://registry.example.org',
    ],
    load: () => import('./commands/search.js'),
  },
  {
    name: 'verify',
    summary: 'check a published tree: signatures, and with --snapshot the snapshot',
    group: 'Reading',
    json: true,
    args: ['<url>'],
    options: [
      {
        flags: '--key <pem-file>',
        description: 'the site’s public key you trust (default: fetched from the site)',
      },
      { flags: '--snapshot', description: 'also check the snapshot’s signatures, sha256 and count' },
    ],
    examples: ['mcp-registry verify https://registry.example.org --key site.pem --snapshot'],
    load: () => import('./commands/verify.js'),
  },
  ...(['serve', 'api', 'builder', 'cdn'] as const).map(
    (name): CommandSpec => ({
      name,
      summary:
        name === 'serve'
          ? 'run the write API, the builder daemon and the local CDN in one process (npm start)'
          : `run the ${name === 'api' ? 'write API' : name === 'builder' ? 'builder daemon' : 'local CDN server'} alone (production)`,
      group: 'Operating',
      ...(name === 'cdn' ? { options: CDN_OPTIONS } : {}),
      examples:
        name === 'cdn'
          ? ['mcp-registry cdn', 'mcp-registry cdn --nginx --api http://127.0.0.1:8080']
          : [`mcp-registry ${name}`],
      load: () => import('./commands/serve.js'),
    }),
  ),
  {
    name: 'build',
    summary: 'build the static tree now (or --queue it for the builder daemon)',
    group: 'Operating',
    json: true,
    options: [
      { flags: '--kind <kind>', description: 'what to build', choices: BUILD_KINDS, default: 'incremental' },
      { flags: '--queue', description: 'queue the build for the daemon instead of running it here' },
      { flags: '--allow-mass-deletion', description: 'let a full build delete more than 5 % of the tree' },
    ],
    examples: ['mcp-registry build --kind full', 'mcp-registry build --queue --kind snapshot'],
    load: () => import('./commands/build.js'),
  },
  {
    name: 'builds',
    summary: 'build history, newest first, or one build',
    group: 'Operating',
    json: true,
    args: ['[id]'],
    options: [{ flags: '--limit <n>', description: 'how many', default: '20' }],
    examples: ['mcp-registry builds --limit 5', 'mcp-registry builds 42 --json'],
    load: () => import('./commands/builds.js'),
  },
  {
    name: 'migrate',
    summary: 'apply pending database migrations',
    group: 'Operating',
    examples: ['mcp-registry migrate'],
    load: () => import('./commands/migrate.js'),
  },
  {
    name: 'import',
    summary: 'load server.json documents: the seed array, or a saved official list response',
    description:
      'Loads a JSON array of server.json documents (the official seed format), or the server.json of\n' +
      'each item of an official list response ({servers: [{server, _meta}]}, what a crawl saves),\n' +
      'through the publish rules. With --as-mirror a list response is stored as a mirror stores it:\n' +
      "upstream's status, timestamps and latest flag, lenient intake (issues recorded, not enforced).",
    group: 'Operating',
    json: true,
    args: ['<file>'],
    options: [
      { flags: '--as-mirror', description: "a list response, stored with upstream's metadata (lenient)" },
    ],
    examples: [
      'mcp-registry import ../shared/spec/seed/seed.2026-04.json',
      'mcp-registry import crawl.json --as-mirror',
    ],
    load: () => import('./commands/import.js'),
  },
  {
    name: 'mirror',
    summary: 'replicate a registry that speaks the official API (sync now, keep syncing, or --status)',
    description:
      'Syncs this registry from an upstream registry (MIRROR_UPSTREAM, or the URL given): the first\n' +
      'sync crawls its whole list, later ones ask what changed since. Without --once it keeps syncing\n' +
      'on MIRROR_SCHEDULE until stopped (what the builder process does when MIRROR_UPSTREAM is set).\n' +
      '--status prints where the crawl stands and the recent syncs. Exit 1 when a sync fails.',
    group: 'Operating',
    json: true,
    args: ['[upstream]'],
    options: [
      { flags: '--once', description: 'one sync, then exit' },
      { flags: '--status', description: 'show the mirror state and recent syncs' },
    ],
    examples: [
      'mcp-registry mirror https://registry.modelcontextprotocol.io --once',
      'mcp-registry mirror --status --json',
    ],
    load: () => import('./commands/mirror.js'),
  },
  {
    name: 'token',
    summary: 'mint a registry token with the registry’s signing key (operators)',
    group: 'Operating',
    json: true,
    options: [
      { flags: '--admin', description: 'publish and edit on every name' },
      { flags: '--namespace <ns>', description: 'publish and edit on <ns>/*' },
    ],
    examples: ['ADMIN=$(mcp-registry token --admin)', 'mcp-registry token --namespace com.example --json'],
    load: () => import('./commands/token.js'),
  },
];
