import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { loadClientConfig } from '../core/client-config.js';
import { COMMANDS, type CommandSpec } from './commands.js';
import { EXIT_OK, EXIT_USAGE, type Io } from './io.js';
import { createOutput, describeError, exitCodeOf } from './output.js';

export type { Io } from './io.js';

/** The package's version: package.json beside cli/ (sources) or two levels up (the compiled dist/cli/). */
const VERSION = (() => {
  for (const path of ['../package.json', '../../package.json']) {
    try {
      return (JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as { version: string })
        .version;
    } catch {
      // not here: try the next place
    }
  }
  return 'unknown';
})();

const GROUP_ORDER = ['Publishing', 'Reading', 'Operating'] as const;

function describeProgram(io: Io, setCode: (code: number) => void): Command {
  const program = new Command('mcp-registry')
    .description('Publish to and run an MCP server registry whose every read is a static file.')
    .version(VERSION, '-V, --version', 'print the version')
    .option('--debug', 'print stack traces with errors')
    // Program options only before the command name, so `init --version 1.2.0` is init's option.
    .enablePositionalOptions()
    .helpOption('-h, --help', 'show help')
    .helpCommand('help [command]', 'show help for a command')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout(text.replace(/\n$/, '')),
      writeErr: (text) => io.stderr(text.replace(/\n$/, '')),
    })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      '\nExit codes: 0 success, 1 the operation failed, 2 usage error.\n' +
        'Human output goes to stderr, machine output (--json) to stdout.',
    );
  for (const group of GROUP_ORDER) {
    for (const spec of COMMANDS.filter((c) => c.group === group)) addCommand(program, spec, io, setCode);
  }
  return program;
}

function addCommand(program: Command, spec: CommandSpec, io: Io, setCode: (code: number) => void): void {
  const command = program
    .command(spec.name)
    .summary(spec.summary)
    .description(spec.description ?? spec.summary)
    .helpGroup(`${spec.group}:`);
  for (const arg of spec.args ?? []) command.argument(arg);
  for (const o of spec.options ?? []) {
    const option = new Option(o.flags, o.description);
    if (o.choices) option.choices(o.choices);
    if (o.default !== undefined) option.default(o.default);
    command.addOption(option);
  }
  if (spec.registry)
    command.option(
      '--registry <url>',
      'registry URL (default: the last login, MCP_REGISTRY_URL, or http://127.0.0.1:8080)',
    );
  if (spec.json) command.option('--json', 'print the result as JSON on stdout');
  command.option('--debug', 'print stack traces with errors');
  command.addHelpText('after', `\nExamples:\n${spec.examples.map((e) => `  ${e}`).join('\n')}`);
  command.action(async (...params: unknown[]) => {
    const self = params.at(-1) as Command;
    const options = self.optsWithGlobals();
    const args = params.slice(0, spec.args?.length ?? 0) as (string | undefined)[];
    const config = loadClientConfig(io.env);
    const out = createOutput(io, {
      json: options.json === true,
      debug: options.debug === true,
      color: config.color,
    });
    const module = await spec.load();
    setCode(await module.run({ name: spec.name, io, out, args, options }));
  });
}

/** Runs one command line and returns its exit code (0 success, 1 failed, 2 usage). */
export async function run(argv: string[], io: Io): Promise<number> {
  let code = EXIT_OK;
  const program = describeProgram(io, (c) => {
    code = c;
  });
  try {
    if (argv.length === 0) {
      io.stderr(program.helpInformation().replace(/\n$/, ''));
      return EXIT_USAGE;
    }
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version'
        ? EXIT_OK
        : EXIT_USAGE;
    }
    const debug = argv.includes('--debug');
    for (const line of describeError(err, debug)) io.stderr(line);
    return exitCodeOf(err);
  }
}

export async function runFromProcess(): Promise<void> {
  // `mcp-registry … | head` closes stdout early: that is the reader's choice, not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
  const terminal = process.stderr.isTTY ? process.stderr : undefined;
  const code = await run(process.argv.slice(2), {
    env: process.env,
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
    terminal,
    prompt:
      process.stdin.isTTY && terminal
        ? async (question) => {
            const rl = createInterface({ input: process.stdin, output: process.stderr });
            try {
              return await rl.question(question);
            } finally {
              rl.close();
            }
          }
        : undefined,
  });
  process.exitCode = code;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runFromProcess();
