// SIGTERM lets in-flight requests finish before the process exits.
import { request } from 'node:http';
import { expect, it } from 'vitest';
import { startServerProcess } from './helpers/server-process.js';

it('finishes a request that is in flight when SIGTERM arrives, then exits 0', async () => {
  const server = await startServerProcess();
  const body = JSON.stringify({
    workload: 'w',
    platform: 'p',
    environment: 'e',
    version: '1.0.0',
    raw: 'x'.repeat(10_000),
  });
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      `${server.url}/api/v1/create`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    // Half the body now, SIGTERM, the rest a moment later.
    req.write(body.slice(0, 5000));
    setTimeout(() => {
      server.process.kill('SIGTERM');
      setTimeout(() => req.end(body.slice(5000)), 300);
    }, 200);
  });
  const response = await answer;
  expect(response.status).toBe(201);
  expect(JSON.parse(response.body)).toEqual({ versionId: 1 });
  await new Promise((resolve) =>
    server.process.exitCode === null ? server.process.once('exit', resolve) : resolve(null),
  );
  expect(server.process.exitCode).toBe(0);
  await server.stop();
});
