// Configuration: the original's variables and forms, and one clear line for a bad value.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, describeDatabase, loadConfig, parseMysqlUri } from '../src/config.js';
import { startServerProcess } from './helpers/server-process.js';

describe('loadConfig', () => {
  it('needs nothing: SQLite in a data folder, port 8080, metrics on 9101, 1 MiB bodies', () => {
    const config = loadConfig({}, '/srv/versions');
    expect(config.database).toEqual({ dialect: 'sqlite', file: '/srv/versions/data/versions.sqlite' });
    expect(config).toMatchObject({
      port: 8080,
      host: '::',
      metricsPort: 9101,
      bodyLimit: 1048576,
      logHealthRequests: false,
      redis: { enabled: false },
      apiTokens: [],
    });
  });

  it("accepts the original's forms", () => {
    expect(loadConfig({ APP_PORT: ':9090' }).port).toBe(9090);
    expect(loadConfig({ APP_METRICS_PORT: '0' }).metricsPort).toBe(0);
    expect(loadConfig({ APP_SKIP_PATH_DISABLED: 'true' }).logHealthRequests).toBe(true);
    expect(loadConfig({ REDIS_ENABLED: 'true', REDIS_URI: 'redis://:secret@cache:6379/2' }).redis).toEqual({
      enabled: true,
      uri: 'redis://:secret@cache:6379/2',
    });
    expect(loadConfig({ REDIS_ENABLED: '1', REDIS_URI: 'redis://:x@h:6379' }).redis.enabled).toBe(true);
    const postgres = loadConfig({
      SQL_DRIVER: 'postgres',
      DB_URI: 'postgres://u:p@h:5432/db?sslmode=disable',
    });
    expect(postgres.database).toEqual({
      dialect: 'postgres',
      connectionString: 'postgres://u:p@h:5432/db?sslmode=disable',
    });
    expect(describeDatabase(postgres.database)).toBe('postgres://u:***@h:5432/db?sslmode=disable');
  });

  it("parses the Go driver's MySQL DSN, ignoring Go-only options, and mysql:// URLs", () => {
    expect(
      parseMysqlUri(
        'user:p@ss:w@rd@tcp(db.example:3307)/versions?charset=utf8&autocommit=true&multiStatements=true&maxAllowedPacket=0&interpolateParams=true&parseTime=true',
      ),
    ).toEqual({
      user: 'user',
      password: 'p@ss:w@rd',
      host: 'db.example',
      port: 3307,
      database: 'versions',
      ssl: false,
    });
    expect(parseMysqlUri('root@tcp(127.0.0.1)/test')).toMatchObject({
      user: 'root',
      password: '',
      port: 3306,
    });
    expect(parseMysqlUri('u:p@unix(/run/mysqld/mysqld.sock)/db')).toMatchObject({
      socketPath: '/run/mysqld/mysqld.sock',
    });
    expect(parseMysqlUri('mysql://u:p%40ss@h:3306/db')).toEqual({
      user: 'u',
      password: 'p@ss',
      host: 'h',
      port: 3306,
      database: 'db',
      ssl: false,
    });
  });

  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ SQL_DRIVER: 'oracle' }, /SQL_DRIVER must be sqlite, postgres or mysql/],
    [{ SQL_DRIVER: 'postgres' }, /DB_URI is required when SQL_DRIVER=postgres/],
    [{ SQL_DRIVER: 'postgres', DB_URI: 'mysql://x' }, /DB_URI must start with postgres:\/\//],
    [{ SQL_DRIVER: 'mysql' }, /DB_URI is required when SQL_DRIVER=mysql/],
    [{ SQL_DRIVER: 'mysql', DB_URI: 'nonsense' }, /DB_URI is not a MySQL address/],
    [{ SQL_DRIVER: 'mysql', DB_URI: 'u:p@tcp(h:99999)/db' }, /invalid port/],
    [{ APP_PORT: 'http' }, /APP_PORT must be a port number/],
    [{ APP_PORT: '70000' }, /APP_PORT must be a port number/],
    [{ APP_METRICS_PORT: '-1' }, /APP_METRICS_PORT must be a port number/],
    [{ APP_BODY_LIMIT: '1MB' }, /APP_BODY_LIMIT must be a whole number/],
    [{ REDIS_ENABLED: 'maybe' }, /REDIS_ENABLED must be true or false/],
    [{ REDIS_ENABLED: 'true' }, /REDIS_URI is required when REDIS_ENABLED=true/],
    [{ REDIS_ENABLED: 'true', REDIS_URI: 'localhost:6379' }, /REDIS_URI must start with redis:\/\//],
    [{ APP_WEBHOOK_URLS: 'ftp://x' }, /APP_WEBHOOK_URLS must be comma-separated http\(s\) URLs/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
  ];
  it.each(bad)('rejects %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('the server process', () => {
  it('stops on bad configuration with one clear line and a non-zero exit, no stack trace', () => {
    const result = spawnSync(process.execPath, ['dist/src/server.js'], {
      env: { PATH: process.env.PATH, APP_PORT: 'eighty' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(2);
    const lines = `${result.stdout}${result.stderr}`.trim().split('\n');
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!);
    expect(entry.level).toBe('fatal');
    expect(entry.msg).toMatch(
      /APP_PORT must be a port number from 0 to 65535, like 8080 or :8080 \(got "eighty"\)/,
    );
    expect(lines[0]).not.toMatch(/at .*\.js:\d+/);
  });

  it('gives up on an unreachable database after APP_DB_WAIT_SECONDS with a line saying what to check', () => {
    const result = spawnSync(process.execPath, ['dist/src/server.js'], {
      env: {
        PATH: process.env.PATH,
        SQL_DRIVER: 'postgres',
        DB_URI: 'postgres://nobody:secret@127.0.0.1:1/none?sslmode=disable',
        APP_DB_WAIT_SECONDS: '1',
        APP_METRICS_PORT: '0',
      },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.some((line) => line.msg === 'database not reachable yet, retrying')).toBe(true);
    const fatal = lines.at(-1);
    expect(fatal.level).toBe('fatal');
    expect(fatal.msg).toMatch(
      /cannot reach the database at postgres:\/\/nobody:\*\*\*@127.0.0.1:1\/none.*check DB_URI/,
    );
    expect(result.stdout).not.toContain('secret');
  });

  it('says what it is connected to, logs requests as JSON lines (not health probes), and stops cleanly on SIGTERM', async () => {
    const server = await startServerProcess();
    await fetch(`${server.url}/api/v1/health`);
    await fetch(`${server.url}/api/v1/read/home`);
    const started = server.logs
      .map((line) => JSON.parse(line))
      .find((line) => line.msg === 'versions is listening');
    expect(started).toMatchObject({ database: expect.stringMatching(/^sqlite:/), redis: 'disabled' });
    await server.stop();
    expect(server.process.exitCode).toBe(0);
    const entries = server.logs.map((line) => JSON.parse(line));
    const requests = entries.filter((line) => line.msg === 'request');
    expect(requests.map((line) => line.url)).toEqual(['/api/v1/read/home']);
    expect(requests[0]).toMatchObject({
      level: 'info',
      service: 'versions',
      reqId: expect.stringMatching(/^req-/),
      method: 'GET',
      route: '/api/v1/read/home',
      statusCode: 204,
      ms: expect.any(Number),
    });
    expect(entries.map((line) => line.msg)).toContain('stopped');
  });

  it('logs health probes when APP_SKIP_PATH_DISABLED is set', async () => {
    const server = await startServerProcess({ APP_SKIP_PATH_DISABLED: 'true' });
    await fetch(`${server.url}/api/v1/healthz`);
    await server.stop();
    const requests = server.logs.map((line) => JSON.parse(line)).filter((line) => line.msg === 'request');
    expect(requests.map((line) => line.url)).toEqual(['/api/v1/healthz']);
  });
});
