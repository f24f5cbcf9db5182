// Builds the Vue UI into dist/web when the web/ folder exists.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (existsSync('web/vite.config.ts')) {
  execSync('npx vite build --config web/vite.config.ts', { stdio: 'inherit' });
} else {
  console.error('versions: no web/ UI to build yet');
}
