#!/usr/bin/env node
// The `versions` command. The client is TypeScript compiled into dist/, so this file only finds it and
// hands over the command line; all the logic (and its tests) lives in src/cli/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  console.error(
    `versions: ${fileURLToPath(main)} is missing; run \`npm run build\` (or \`npm run build:server\`) in ${fileURLToPath(new URL('..', import.meta.url))} first`,
  );
  process.exit(1);
}
const { runCli } = await import(main.href);
// exitCode rather than exit(): `versions serve` resolves once listening and must keep running.
process.exitCode = await runCli(process.argv.slice(2), process.env, {
  stdout: process.stdout,
  stderr: process.stderr,
});
