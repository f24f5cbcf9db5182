// `versions backup`: a consistent copy of the SQLite file of a server that keeps writing meanwhile, which a
// second server then starts on; and the refusals (existing file, not SQLite, missing store).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, env, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

describe('versions backup of a running server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'versions-backup-'));
  const store = join(dir, 'versions.sqlite');
  const copy = join(dir, 'copy.sqlite');
  let server: ServerProcess;
  let restored: ServerProcess | undefined;

  const create = (url: string, version: string) =>
    fetch(`${url}/api/v1/create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ workload: 'w', platform: 'p', environment: `e${version.length}`, version }),
    });

  beforeAll(async () => {
    server = await startServerProcess({ DB_URI: store });
    for (let i = 0; i < 50; i++) expect((await create(server.url, `1.0.${i}`)).status).toBe(201);
  });

  afterAll(async () => {
    await restored?.stop();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('copies the store as of one moment while the server keeps writing', async () => {
    let writing = true;
    let written = 50;
    const writer = (async () => {
      while (writing) {
        expect((await create(server.url, `2.0.${written}`)).status).toBe(201);
        written += 1;
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const result = await cli(['backup', copy], { DB_URI: store });
    writing = false;
    await writer;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(`^backed up ${store} to ${copy}: \\d+ deployments, \\d+ pages\\n$`),
    );
    expect(existsSync(`${copy}.partial`)).toBe(false);

    // One moment: every deployment up to some id, each with its history row and its count.
    const db = new SQLite(copy, { readonly: true });
    const deployments = Number(db.prepare('SELECT COUNT(*) FROM versions').pluck().get());
    const lastId = Number(db.prepare('SELECT MAX(versions_id) FROM versions').pluck().get());
    const history = Number(db.prepare('SELECT COUNT(*) FROM versions_status_history').pluck().get());
    const counted = Number(db.prepare('SELECT SUM(deployments) FROM versions_environments').pluck().get());
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    expect(deployments).toBeGreaterThanOrEqual(50);
    expect(deployments).toBeLessThanOrEqual(written);
    expect(lastId).toBe(deployments);
    expect(history).toBe(deployments);
    expect(counted).toBe(deployments);
    expect(result.stdout).toContain(`: ${deployments} deployments`);

    // A server starts on the copy and answers as the original did at that moment.
    restored = await startServerProcess({ DB_URI: copy });
    const answer = await fetch(`${restored.url}/api/v1/read/raw/id?versionId=50`);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ versions_id: 50, version: '1.0.49' });
  });

  it('refuses to overwrite a file, a store that is not SQLite, and a missing store', async () => {
    const exists = await cli(['backup', copy], { DB_URI: store });
    expect(exists.code).toBe(1);
    expect(exists.stderr).toBe(`versions: ${copy} already exists; choose a new file name\n`);

    const postgres = await cli(['backup', join(dir, 'other.sqlite')], {
      SQL_DRIVER: 'postgres',
      DB_URI: 'postgres://postgres@127.0.0.1:5432/versions',
    });
    expect(postgres.code).toBe(2);
    expect(postgres.stderr).toMatch(/backup copies a SQLite store .*pg_dump/);

    const missing = await cli(['backup', join(dir, 'other.sqlite')], { DB_URI: join(dir, 'none.sqlite') });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/the SQLite file .*none.sqlite does not exist/);
    expect(existsSync(join(dir, 'other.sqlite'))).toBe(false);

    const noFile = await cli(['backup'], { DB_URI: store });
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toMatch(/backup expects FILE/);
  });
});
