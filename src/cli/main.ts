import { parseArgs } from 'node:util';
import { RequestFailedError, VersionsClient } from './client.js';
import { COMMANDS, CONNECTION_HELP, type Command } from './commands.js';
import { stringOption, UsageError, type OptionSpecs, type OptionValues } from './usage.js';

/** Anything text can be written to: process.stdout in real use, a buffer in tests. */
export interface Writer {
  write(text: string): unknown;
}

export interface CliIo {
  stdout: Writer;
  stderr: Writer;
  /** The working directory, where `record` looks for a git checkout; process.cwd() unless given. */
  cwd?: string;
}

export const EXIT_OK = 0;
/** The server refused the request, or could not be reached. */
export const EXIT_REFUSED = 1;
/** The command line is wrong. */
export const EXIT_USAGE = 2;

const DEFAULT_URL = 'http://localhost:8080';
const DEFAULT_RETRIES = 3;
const DEFAULT_TIMEOUT_SECONDS = 10;
const FIRST_RETRY_DELAY_MS = 500;

const HELP_OPTION: OptionSpecs = { help: { type: 'boolean', short: 'h' } };
const CONNECTION_OPTIONS: OptionSpecs = {
  url: { type: 'string' },
  token: { type: 'string' },
  retries: { type: 'string' },
  timeout: { type: 'string' },
};

const GLOBAL_HELP = `versions: record deployments in a versions server and read them back, from a CI pipeline or a shell.

Usage: versions <command> [options]

Commands:
${COMMANDS.map((command) => `  ${command.name.padEnd(8)} ${command.summary}`).join('\n')}

Run \`versions <command> --help\` for a command's options.

${CONNECTION_HELP}

Environment:
  VERSIONS_URL       the server, when --url is not given
  VERSIONS_TOKEN     the bearer token, when --token is not given

Exit codes: 0 success, 1 the server refused or could not be reached, 2 usage error.`;

/**
 * Runs one `versions ...` command line (without the node and script names) and resolves to its exit code:
 * 0 success, 1 refused by or unreachable server, 2 usage error. Never throws, never prints the token.
 */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  const out = redacting(io, tokensIn(argv, env));
  try {
    return await dispatch(argv, env, out);
  } catch (error) {
    if (error instanceof UsageError) {
      const help = error.command ? `versions ${error.command} --help` : 'versions --help';
      out.stderr.write(`versions: ${error.message}\nRun \`${help}\` for usage.\n`);
      return EXIT_USAGE;
    }
    if (error instanceof RequestFailedError) {
      out.stderr.write(`versions: ${error.message}\n`);
      return EXIT_REFUSED;
    }
    out.stderr.write(`versions: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_REFUSED;
  }
}

async function dispatch(argv: string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  // A first, lenient pass finds the command even after global options (`versions --url U record ...`).
  const { tokens } = parseArgs({
    args: argv,
    options: { ...HELP_OPTION, ...CONNECTION_OPTIONS },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const commandToken = tokens.find((token) => token.kind === 'positional');
  if (commandToken?.kind !== 'positional') {
    if (wantsHelp(argv, {})) {
      io.stdout.write(`${GLOBAL_HELP}\n`);
      return EXIT_OK;
    }
    if (argv.length === 0) {
      // Help on stderr: nothing was asked of the tool, so the run is a usage error, not a success.
      io.stderr.write(`${GLOBAL_HELP}\n`);
      return EXIT_USAGE;
    }
    throw new UsageError('missing command (record, status, latest, serve, copy or backup)');
  }

  const rest = argv.filter((_, index) => index !== commandToken.index);
  if (commandToken.value === 'help') {
    const about = rest.find((arg) => !arg.startsWith('-'));
    if (about === undefined) {
      io.stdout.write(`${GLOBAL_HELP}\n`);
      return EXIT_OK;
    }
    io.stdout.write(`${commandNamed(about).help}\n`);
    return EXIT_OK;
  }

  const command = commandNamed(commandToken.value);
  const options: OptionSpecs = {
    ...HELP_OPTION,
    ...(command.talksToServer ? CONNECTION_OPTIONS : {}),
    ...command.options,
  };
  if (wantsHelp(rest, options)) {
    io.stdout.write(`${command.help}\n`);
    return EXIT_OK;
  }
  const { values, positionals } = strictParse(command, rest, options);
  if (positionals.length !== command.positionals.length) {
    const expected = command.positionals.length
      ? `expects ${command.positionals.join(' ')}`
      : 'takes no arguments';
    throw new UsageError(`${command.name} ${expected}`, command.name);
  }
  // Checked before anything runs, so a wrong --url is a usage error even if the command fails earlier.
  const settings = command.talksToServer ? connectionSettings(values, env, command.name, io) : undefined;

  await command.run({
    values,
    positionals,
    env,
    client: () => {
      if (!settings) throw new Error(`${command.name} does not talk to a server`);
      return new VersionsClient(settings);
    },
    print: (line) => io.stdout.write(`${line}\n`),
    hint: (line) => io.stderr.write(`versions: ${line}\n`),
    cwd: io.cwd ?? process.cwd(),
  });
  return EXIT_OK;
}

function commandNamed(name: string): Command {
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) throw new UsageError(`unknown command '${name}'`);
  return command;
}

function strictParse(
  command: Command,
  args: string[],
  options: OptionSpecs,
): { values: OptionValues; positionals: string[] } {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (error) {
    // parseArgs throws TypeErrors with codes ERR_PARSE_ARGS_*; their messages name the option.
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      // The unknown-option message goes on about `--` and positionals; its first sentence says it all.
      throw new UsageError(
        error.message.replace(/\. To specify a positional argument.*$/s, ''),
        command.name,
      );
    }
    throw error;
  }
}

/** Whether -h/--help is among the options (not a value of another option, not after `--`). */
function wantsHelp(args: string[], options: OptionSpecs): boolean {
  const { tokens } = parseArgs({
    args,
    options: { ...options, ...HELP_OPTION },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  return tokens.some((token) => token.kind === 'option' && token.name === 'help');
}

function connectionSettings(values: OptionValues, env: NodeJS.ProcessEnv, command: string, io: CliIo) {
  const urlText = stringOption(values, 'url') || env.VERSIONS_URL || DEFAULT_URL;
  let baseUrl: URL;
  try {
    baseUrl = new URL(urlText);
  } catch {
    throw new UsageError(`the server URL must be an http:// or https:// URL, not '${urlText}'`, command);
  }
  if (baseUrl.protocol !== 'http:' && baseUrl.protocol !== 'https:') {
    throw new UsageError(
      `the server URL must be an http:// or https:// URL, not '${baseUrl.protocol}...'`,
      command,
    );
  }
  const token = (stringOption(values, 'token') ?? env.VERSIONS_TOKEN ?? '').trim() || undefined;

  const retriesText = stringOption(values, 'retries') ?? String(DEFAULT_RETRIES);
  if (!/^\d{1,2}$/.test(retriesText)) {
    throw new UsageError(`--retries must be an integer from 0 to 99, not '${retriesText}'`, command);
  }
  const timeoutText = stringOption(values, 'timeout') ?? String(DEFAULT_TIMEOUT_SECONDS);
  const timeoutSeconds = Number(timeoutText);
  if (!/^\d+(\.\d+)?$/.test(timeoutText) || !(timeoutSeconds > 0)) {
    throw new UsageError(`--timeout must be a positive number of seconds, not '${timeoutText}'`, command);
  }

  return {
    baseUrl,
    token,
    retries: Number(retriesText),
    timeoutMs: timeoutSeconds * 1000,
    retryDelayMs: FIRST_RETRY_DELAY_MS,
    notice: (line: string) => io.stderr.write(`versions: ${line}\n`),
  };
}

/** Every token this run could send: from VERSIONS_TOKEN and from --token, even on a malformed line. */
function tokensIn(argv: string[], env: NodeJS.ProcessEnv): string[] {
  const tokens = [env.VERSIONS_TOKEN ?? ''];
  argv.forEach((arg, index) => {
    if (arg === '--token') tokens.push(argv[index + 1] ?? '');
    else if (arg.startsWith('--token=')) tokens.push(arg.slice('--token='.length));
  });
  // A very short "token" would blank out unrelated output (a versionId, a version) and protects nothing.
  return [...new Set(tokens.map((token) => token.trim()))].filter((token) => token.length >= 6);
}

/**
 * Output that masks the tokens. The CLI never prints them itself; this guards against a server or proxy
 * that echoes the Authorization header in an error, which would otherwise land in a public CI log.
 */
function redacting(io: CliIo, tokens: string[]): CliIo {
  if (tokens.length === 0) return io;
  const mask = (text: string) => tokens.reduce((masked, token) => masked.split(token).join('***'), text);
  return {
    stdout: { write: (text: string) => io.stdout.write(mask(text)) },
    stderr: { write: (text: string) => io.stderr.write(mask(text)) },
    cwd: io.cwd,
  };
}
