import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Plugin, ResolvedConfig } from 'vite';

/** Files worth pre-compressing: text assets above this size. */
const COMPRESSIBLE = /\.(js|css|html|svg|json|txt)$/;
const MIN_COMPRESS_BYTES = 1024;

export interface BundleReportOptions {
  /** Gzipped size above which the build prints a warning. */
  initialBudgetKiB: number;
}

/**
 * After the build: writes .gz and .br siblings of the text assets (served by src/ui/ui.routes.ts), and prints
 * the gzipped size of what the browser loads first: the scripts and styles index.html references.
 */
export function bundleReport(options: BundleReportOptions): Plugin {
  let config: ResolvedConfig;
  return {
    name: 'versions:bundle-report',
    apply: 'build',
    configResolved(resolved) {
      config = resolved;
    },
    closeBundle() {
      const outDir = config.build.outDir;
      for (const file of listFiles(outDir)) {
        if (!COMPRESSIBLE.test(file)) continue;
        const content = readFileSync(file);
        if (content.length < MIN_COMPRESS_BYTES) continue;
        writeFileSync(`${file}.gz`, gzipSync(content, { level: 9 }));
        writeFileSync(
          `${file}.br`,
          brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
        );
      }

      const initialFiles = initialAssets(readFileSync(join(outDir, 'index.html'), 'utf8'), config.base);
      let gzipped = 0;
      for (const asset of initialFiles) {
        gzipped += gzipSync(readFileSync(join(outDir, asset)), { level: 9 }).length;
      }
      const kib = gzipped / 1024;
      const line = `versions: initial JS+CSS ${kib.toFixed(1)} KiB gzipped (${initialFiles.length} files, budget ${options.initialBudgetKiB} KiB)`;
      if (kib > options.initialBudgetKiB) config.logger.warn(`${line}: OVER BUDGET`);
      else config.logger.info(line);
      config.logger.info(`  ${initialFiles.map((file) => relative('.', file)).join(', ')}`);
    },
  };
}

/** The scripts, module preloads and stylesheets index.html makes the browser fetch before the first paint. */
export function initialAssets(indexHtml: string, base: string): string[] {
  const references = indexHtml.matchAll(/<(?:script|link)\b[^>]*?(?:src|href)="([^"]+\.(?:js|css))"/g);
  return [...new Set([...references].map((match) => (match[1] ?? '').replace(base, '')))];
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}
