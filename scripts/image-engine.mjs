// Finds the container engine this machine can run (podman or docker) and the environment to call it
// with. Shared by scripts/image.mjs (the build) and test/image/container.test.ts (the containers).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the image tooling keeps what it makes once: the podman configuration, the stand-in's work folder. */
export function cacheDir() {
  const root = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  const dir = join(root, 'versions-image');
  mkdirSync(dir, { recursive: true });
  return dir;
}

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/**
 * A containers.conf for podman where the machine needs one: without systemd (a container or a CI
 * runner) podman must manage cgroups itself and log events to a file, and a hard limit on open files
 * below podman's default ulimits (1048576 for root) makes every `run` fail, so the containers inherit
 * the caller's limits instead. Returns undefined when podman's defaults are fine, or when the caller
 * already chose a configuration (CONTAINERS_CONF).
 */
function podmanConf() {
  if (process.env.CONTAINERS_CONF) return undefined;
  const withoutSystemd = !existsSync('/run/systemd/system');
  const lines = ['# Written by scripts/image-engine.mjs; see docs/production.md, "Podman without systemd".'];
  lines.push('[containers]', 'default_ulimits = []', '[engine]');
  if (withoutSystemd) lines.push('cgroup_manager = "cgroupfs"', 'events_logger = "file"');
  if (!onPath('crun') && onPath('runc')) lines.push('runtime = "runc"');
  const file = join(cacheDir(), 'containers.conf');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/**
 * The first engine that answers `info`: podman (daemonless, the one Debian ships), then docker.
 * A docker client without a daemon does not count. Returns undefined when none can run.
 * @returns {{ name: 'podman' | 'docker', env: NodeJS.ProcessEnv } | undefined}
 */
export function findEngine() {
  const preferred = process.env.VERSIONS_ENGINE;
  const names = preferred ? [preferred] : ['podman', 'docker'];
  for (const name of names) {
    if (!onPath(name)) continue;
    const env = { ...process.env };
    if (name === 'podman') {
      const conf = podmanConf();
      if (conf) env.CONTAINERS_CONF = conf;
    }
    const info = spawnSync(name, ['info'], { env, stdio: 'ignore', timeout: 60_000 });
    if (info.status === 0) return { name, env };
  }
  return undefined;
}
