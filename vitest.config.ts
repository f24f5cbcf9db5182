import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Three lanes, each a vitest project: `unit` needs no service and no build (logic, the UI's models),
// `integration` runs against the machine's real PostgreSQL, MariaDB and Redis (and SQLite files),
// `browser` drives Chromium. `npm test` runs all three; `npm run test:unit` is the quick loop.
const UNIT = ['test/web/**/*.test.ts', 'test/unit/**/*.test.ts'];
const BROWSER = ['test/browser/**/*.test.ts'];

export default defineConfig({
  test: {
    pool: 'forks',
    // Every test file has databases of its own, so files run side by side: one per core.
    maxWorkers: Math.max(2, availableParallelism()),
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // `npm test -- --coverage` (what CI runs): V8's own counters, no instrumentation, over every file of src/
    // (also those no test loads, counted as uncovered). Servers the tests start as processes from dist/ are
    // not measured. The thresholds are a floor for the whole run: a single lane covers less and fails them.
    // They only rise: a whole run that does better rewrites them to its figures, rounded down (commit that).
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      thresholds: {
        autoUpdate: (figure: number) => Math.floor(figure),
        statements: 89,
        branches: 80,
        functions: 92,
        lines: 91,
      },
    },
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [...UNIT, ...BROWSER],
          globalSetup: ['test/helpers/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: { name: 'browser', include: BROWSER, globalSetup: ['test/helpers/global-setup.ts'] },
      },
    ],
  },
});
