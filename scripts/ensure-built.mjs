// Builds the server (tsc) and the web UI (vite) when their output is missing or older than the sources,
// so that `npm start` and `npm test` work on a fresh clone without a separate build step.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newest(dir) {
  if (!existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const path = join(dir, entry.name);
    const time = entry.isDirectory() ? newest(path) : statSync(path).mtimeMs;
    if (time > latest) latest = time;
  }
  return latest;
}

function stamp(file) {
  return existsSync(file) ? statSync(file).mtimeMs : 0;
}

const serverOut = 'dist/src/server.js';
if (stamp(serverOut) < Math.max(newest('src'), stamp('tsconfig.json'), stamp('package.json'))) {
  console.error('versions: building the server (tsc)...');
  execSync('npm run --silent build:server', { stdio: 'inherit' });
}
const webOut = 'dist/web/index.html';
if (existsSync('web/index.html') && stamp(webOut) < newest('web')) {
  console.error('versions: building the web UI (vite)...');
  execSync('npm run --silent build:web', { stdio: 'inherit' });
}
