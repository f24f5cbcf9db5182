// Every environment variable the service reads, parsed once at start-up into a typed Config.
// Names and accepted forms follow the Go original so that existing deployments keep working.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseNotifyReceivers, type NotifyReceiver } from './notify/receivers.js';

export type DialectName = 'sqlite' | 'postgres' | 'mysql';

export type DatabaseConfig =
  | { dialect: 'sqlite'; file: string }
  | { dialect: 'postgres'; connectionString: string }
  | { dialect: 'mysql'; mysql: MysqlConnection };

export interface MysqlConnection {
  host?: string;
  port?: number;
  socketPath?: string;
  user: string;
  password: string;
  database: string;
  /** `tls=true` / `ssl=true` in the DSN. */
  ssl: boolean;
}

export interface Config {
  database: DatabaseConfig;
  /** How long start-up keeps retrying a database that does not answer yet. */
  databaseWaitSeconds: number;
  host: string;
  port: number;
  /** 0 turns the Prometheus endpoint off. */
  metricsPort: number;
  /** APP_METRICS_HOST: where the Prometheus endpoint listens; APP_HOST unless set. */
  metricsHost: string;
  bodyLimit: number;
  /** How long a client may take to send a request (headers, whole request) and stay silent, in ms. */
  timeouts: { headersMs: number; requestMs: number; idleMs: number };
  /** Most open connections to the API port; more are closed at once. */
  maxConnections: number;
  /** Most bytes of row payloads (`raw`) one list answer carries; see deployments.service.ts. */
  answerLimit: number;
  /** /events: most streams open at once, and most bytes queued for a client that does not read. */
  events: { maxClients: number; maxQueuedBytes: number };
  /** APP_SKIP_PATH_DISABLED: log requests to /health and /healthz too. */
  logHealthRequests: boolean;
  logLevel: string;
  redis: { enabled: false } | { enabled: true; uri: string };
  /** APP_READ_CACHE: `memory` keeps read results in the process (exact, see cache/memory-cache.ts) when Redis is off. */
  readCache: 'memory' | 'off';
  /** Bearer tokens allowed to write; empty means writes are open. */
  apiTokens: string[];
  /** Bearer tokens allowed to read; empty means reads are open. */
  readTokens: string[];
  webhookUrls: string[];
  webhookSecret: string;
  /** APP_NOTIFY: Slack, Teams, Grafana and webhook receivers with their filters. */
  notify: NotifyReceiver[];
  /** APP_NOTIFY_QUEUE_BYTES: bytes of notifications waiting per receiver before the oldest are dropped. */
  notifyQueueBytes: number;
  /** APP_PUBLIC_URL without a trailing slash: the UI's address, for links in notifications. */
  publicUrl?: string;
  corsOrigins: string[];
  /** Folder of the built web UI. */
  webRoot: string;
}

/** A configuration value that cannot be used; its message names the variable and what it accepts. */
export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

const DEFAULT_SQLITE_FILE = 'data/versions.sqlite';

/** Reads and checks every variable; throws ConfigError with a one-line message on the first bad one. */
export function loadConfig(env: Env, cwd = process.cwd()): Config {
  return {
    database: parseDatabase(env, cwd),
    databaseWaitSeconds: parseInteger(env, 'APP_DB_WAIT_SECONDS', 60, 0, 86_400),
    host: value(env, 'APP_HOST') ?? '::',
    port: parsePort(env, 'APP_PORT', 8080),
    metricsPort: parsePort(env, 'APP_METRICS_PORT', 9101),
    metricsHost: value(env, 'APP_METRICS_HOST') ?? value(env, 'APP_HOST') ?? '::',
    bodyLimit: parseInteger(env, 'APP_BODY_LIMIT', 1024 * 1024, 1, 1024 * 1024 * 1024),
    timeouts: parseTimeouts(env),
    maxConnections: parseInteger(env, 'APP_MAX_CONNECTIONS', 1000, 1, 1_000_000),
    answerLimit: parseInteger(env, 'APP_ANSWER_LIMIT', 16 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    events: {
      maxClients: parseInteger(env, 'APP_EVENTS_MAX_CLIENTS', 200, 1, 100_000),
      maxQueuedBytes: parseInteger(env, 'APP_EVENTS_MAX_QUEUED_BYTES', 1024 * 1024, 1024, 1024 * 1024 * 1024),
    },
    logHealthRequests: value(env, 'APP_SKIP_PATH_DISABLED') !== undefined,
    logLevel: parseLogLevel(env),
    redis: parseRedis(env),
    readCache: parseChoice(env, 'APP_READ_CACHE', ['memory', 'off'], 'memory'),
    apiTokens: parseList(env, 'APP_API_TOKENS'),
    readTokens: parseList(env, 'APP_READ_TOKENS'),
    webhookUrls: parseUrls(env, 'APP_WEBHOOK_URLS'),
    webhookSecret: value(env, 'APP_WEBHOOK_SECRET') ?? '',
    notify: parseNotify(env, cwd),
    notifyQueueBytes: parseInteger(env, 'APP_NOTIFY_QUEUE_BYTES', 16 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    publicUrl: parsePublicUrl(env),
    corsOrigins: parseList(env, 'APP_CORS_ORIGINS'),
    webRoot: parseWebRoot(env, cwd),
  };
}

/** One of `choices` (any case), or `fallback` when unset. */
function parseChoice<T extends string>(env: Env, name: string, choices: readonly T[], fallback: T): T {
  const raw = value(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (!(choices as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${choices.join(', ')} (got "${raw}")`);
  }
  return raw as T;
}

/** A variable's value, or undefined when unset or blank. */
function value(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw ? raw : undefined;
}

function parseDatabase(env: Env, cwd: string): DatabaseConfig {
  const driver = (value(env, 'SQL_DRIVER') ?? 'sqlite').toLowerCase();
  const uri = value(env, 'DB_URI');
  switch (driver) {
    case 'sqlite':
    case 'sqlite3': {
      const file = uri ?? DEFAULT_SQLITE_FILE;
      return { dialect: 'sqlite', file: file === ':memory:' || isAbsolute(file) ? file : join(cwd, file) };
    }
    case 'postgres':
    case 'postgresql':
      if (!uri) {
        throw new ConfigError(
          'DB_URI is required when SQL_DRIVER=postgres, e.g. postgres://user:pass@host:5432/db?sslmode=disable',
        );
      }
      if (!/^postgres(ql)?:\/\//.test(uri)) {
        throw new ConfigError('DB_URI must start with postgres:// when SQL_DRIVER=postgres');
      }
      return { dialect: 'postgres', connectionString: uri };
    case 'mysql':
    case 'mariadb':
      if (!uri) {
        throw new ConfigError(
          'DB_URI is required when SQL_DRIVER=mysql, e.g. mysql://user:pass@host:3306/db or user:pass@tcp(host:3306)/db',
        );
      }
      return { dialect: 'mysql', mysql: parseMysqlUri(uri) };
    default:
      throw new ConfigError(`SQL_DRIVER must be sqlite, postgres or mysql (got "${driver}")`);
  }
}

/**
 * Accepts `mysql://user:pass@host:port/db` and the Go driver's DSN `user:pass@tcp(host:port)/db?params`
 * (also `unix(/path/to.sock)`); Go-only parameters such as parseTime or interpolateParams are ignored.
 */
export function parseMysqlUri(uri: string): MysqlConnection {
  if (/^(mysql|mariadb):\/\//.test(uri)) {
    let url: URL;
    try {
      url = new URL(uri.replace(/^mariadb:/, 'mysql:'));
    } catch {
      throw new ConfigError('DB_URI is not a valid mysql:// URL (mysql://user:pass@host:3306/db)');
    }
    const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
    if (!database) throw new ConfigError('DB_URI must name a database, e.g. mysql://user:pass@host:3306/db');
    return {
      host: url.hostname || 'localhost',
      port: url.port ? Number(url.port) : 3306,
      user: decodeURIComponent(url.username) || 'root',
      password: decodeURIComponent(url.password),
      database,
      ssl: ['true', '1', 'required'].includes(
        url.searchParams.get('ssl') ?? url.searchParams.get('tls') ?? '',
      ),
    };
  }
  // Go DSN: [user[:password]@][net[(addr)]]/dbname[?param1=value1&paramN=valueN]
  // The password may itself hold '@', so the credentials end at the last '@' before the address.
  const match = /^(?:(.*)@)?(?:(tcp|unix)\(([^)]*)\))?\/([^?]*)(?:\?(.*))?$/.exec(uri);
  if (!match) {
    throw new ConfigError(
      'DB_URI is not a MySQL address: use mysql://user:pass@host:3306/db or user:pass@tcp(host:3306)/db',
    );
  }
  const [, credentials = '', network = 'tcp', address = '', database = '', query = ''] = match;
  if (!database) throw new ConfigError('DB_URI must name a database, e.g. user:pass@tcp(host:3306)/db');
  const colon = credentials.indexOf(':');
  const user = colon === -1 ? credentials : credentials.slice(0, colon);
  const password = colon === -1 ? '' : credentials.slice(colon + 1);
  const params = new URLSearchParams(query);
  const base = {
    user: user || 'root',
    password,
    database,
    ssl: ['true', 'skip-verify'].includes(params.get('tls') ?? ''),
  };
  if (network === 'unix') return { ...base, socketPath: address };
  const [host, port] = splitHostPort(address || '127.0.0.1:3306');
  return { ...base, host, port };
}

function splitHostPort(address: string): [string, number] {
  const bracketed = /^\[(.*)\](?::(\d+))?$/.exec(address);
  if (bracketed) return [bracketed[1] ?? '::1', Number(bracketed[2] ?? 3306)];
  const colon = address.lastIndexOf(':');
  if (colon === -1) return [address, 3306];
  const port = Number(address.slice(colon + 1));
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError(`DB_URI has an invalid port in "${address}"`);
  }
  return [address.slice(0, colon) || '127.0.0.1', port];
}

function parsePort(env: Env, name: string, fallback: number): number {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  const digits = raw.startsWith(':') ? raw.slice(1) : raw;
  const port = Number(digits);
  if (!/^\d+$/.test(digits) || port > 65535) {
    throw new ConfigError(`${name} must be a port number from 0 to 65535, like 8080 or :8080 (got "${raw}")`);
  }
  return port;
}

function parseInteger(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  const parsed = Number(raw);
  if (!/^\d+$/.test(raw) || parsed < min || parsed > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
  }
  return parsed;
}

/** Slow-loris guards: a client gets this long to send its headers, its whole request, or anything at all. */
function parseTimeouts(env: Env): Config['timeouts'] {
  const headers = parseInteger(env, 'APP_HEADERS_TIMEOUT_SECONDS', 10, 1, 3600);
  const request = parseInteger(env, 'APP_REQUEST_TIMEOUT_SECONDS', 30, 1, 3600);
  const idle = parseInteger(env, 'APP_IDLE_TIMEOUT_SECONDS', 120, 1, 86_400);
  if (headers > request) {
    throw new ConfigError(
      `APP_HEADERS_TIMEOUT_SECONDS (${headers}) must not exceed APP_REQUEST_TIMEOUT_SECONDS (${request}): the headers are part of the request`,
    );
  }
  return { headersMs: headers * 1000, requestMs: request * 1000, idleMs: idle * 1000 };
}

function parseLogLevel(env: Env): string {
  const level = (value(env, 'LOG_LEVEL') ?? 'info').toLowerCase();
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  if (!levels.includes(level))
    throw new ConfigError(`LOG_LEVEL must be one of ${levels.join(', ')} (got "${level}")`);
  return level;
}

function parseRedis(env: Env): Config['redis'] {
  const enabled = (value(env, 'REDIS_ENABLED') ?? 'false').toLowerCase();
  if (['false', '0', 'no', 'off'].includes(enabled)) return { enabled: false };
  if (!['true', '1', 'yes', 'on'].includes(enabled)) {
    throw new ConfigError(`REDIS_ENABLED must be true or false (got "${enabled}")`);
  }
  const uri = value(env, 'REDIS_URI');
  if (!uri)
    throw new ConfigError(
      'REDIS_URI is required when REDIS_ENABLED=true, e.g. redis://:password@host:6379/0',
    );
  if (!/^rediss?:\/\//.test(uri)) {
    throw new ConfigError(
      'REDIS_URI must start with redis:// or rediss://, e.g. redis://:password@host:6379/0',
    );
  }
  return { enabled: true, uri };
}

function parseList(env: Env, name: string): string[] {
  return (value(env, name) ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function parseUrls(env: Env, name: string): string[] {
  const urls = parseList(env, name);
  for (const url of urls) {
    if (!/^https?:\/\/[^\s]+$/.test(url)) {
      // Only the start: incoming-webhook URLs carry their secret in the path or query, and this line is logged.
      throw new ConfigError(`${name} must be comma-separated http(s) URLs (got "${redactUrl(url)}")`);
    }
  }
  return urls;
}

function parseNotify(env: Env, cwd: string): NotifyReceiver[] {
  try {
    return parseNotifyReceivers(value(env, 'APP_NOTIFY'), cwd);
  } catch (error) {
    throw new ConfigError(`APP_NOTIFY ${(error as Error).message}`);
  }
}

function parsePublicUrl(env: Env): string | undefined {
  const raw = value(env, 'APP_PUBLIC_URL');
  if (raw === undefined) return undefined;
  if (!/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(raw)) {
    throw new ConfigError(
      `APP_PUBLIC_URL must be the http(s) address users open the UI at, e.g. https://versions.example.com (got "${raw}")`,
    );
  }
  return raw.replace(/\/+$/, '');
}

/**
 * APP_WEB_ROOT, else `dist/web` of the working directory, else the one of the installed package (so that
 * `versions serve` of a package installed with `npm install -g` serves its UI from any directory).
 */
function parseWebRoot(env: Env, cwd: string): string {
  const configured = value(env, 'APP_WEB_ROOT');
  if (configured !== undefined) return resolve(cwd, configured);
  const local = resolve(cwd, 'dist/web');
  if (existsSync(local)) return local;
  // This file is src/config.ts or dist/src/config.js: the package root is the nearest folder with package.json.
  for (let folder = dirname(fileURLToPath(import.meta.url)); ; folder = dirname(folder)) {
    if (existsSync(join(folder, 'package.json'))) return join(folder, 'dist/web');
    if (dirname(folder) === folder) return local;
  }
}

/** An address for logs: its origin when it parses, else its first characters; never a path or a query. */
export function redactUrl(url: string): string {
  try {
    const { protocol, host } = new URL(url);
    if (host) return `${protocol}//${host}/...`;
  } catch {
    // not a URL: fall through
  }
  const start = url.split(/[/?#]/, 1)[0]?.slice(0, 40) ?? '';
  return start === url ? start : `${start}...`;
}

/** A URI for logs (`postgres://user:secret@host`, `redis://:secret@host`): its password replaced by ***. */
export function maskPassword(uri: string): string {
  return uri.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}

/** The database address for logs: the password replaced by ***. */
export function describeDatabase(database: DatabaseConfig): string {
  switch (database.dialect) {
    case 'sqlite':
      return `sqlite:${database.file}`;
    case 'postgres':
      return maskPassword(database.connectionString);
    case 'mysql': {
      const { user, host, port, socketPath, database: name } = database.mysql;
      return `mysql://${user}:***@${socketPath ? `unix(${socketPath})` : `${host}:${port}`}/${name}`;
    }
  }
}
