// The Kubernetes examples follow the image: there is no cluster here, so the manifests are parsed and
// checked against the Dockerfile (user, ports, data folder, version) and the variables the service reads.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/config.js';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

const dockerfile = read('Dockerfile');
const packageVersion = (JSON.parse(read('package.json')) as { version: string }).version;
/** Every variable name src/config.ts reads, as `(env, 'NAME'`. */
const configVariables = new Set(
  [...read('src/config.ts').matchAll(/\(env, '([A-Z][A-Z0-9_]*)'/g)].map((m) => m[1]),
);

const imageUser = /^USER (\d+):(\d+)$/m.exec(dockerfile);
const exposed = /^EXPOSE (.+)$/m.exec(dockerfile)?.[1]?.split(/\s+/).map(Number) ?? [];
const dataFolder = /^VOLUME (\S+)$/m.exec(dockerfile)?.[1];
const imageVersion = /^ARG VERSION=(\S+)$/m.exec(dockerfile)?.[1];

// The manifests' shapes, as far as these checks read them.
interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface Container {
  name: string;
  image: string;
  ports?: { name: string; containerPort: number }[];
  envFrom?: { configMapRef?: { name: string } }[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    runAsNonRoot?: boolean;
    capabilities?: { drop?: string[] };
  };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface Manifest {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec?: {
    replicas?: number;
    strategy?: { type: string };
    template?: {
      spec: {
        securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; runAsGroup?: number };
        containers: Container[];
        volumes?: { name: string; persistentVolumeClaim?: { claimName: string } }[];
      };
    };
  };
}

function manifests(file: string): Manifest[] {
  return parseAllDocuments(read(file)).map((document) => {
    expect(document.errors, file).toEqual([]);
    return document.toJS() as Manifest;
  });
}

describe('the Dockerfile the manifests follow', () => {
  it('runs as a numeric non-root user, exposes the configured ports and keeps data in one folder', () => {
    expect(imageUser, 'USER uid:gid').not.toBeNull();
    expect(Number(imageUser?.[1])).toBeGreaterThan(0);
    const defaults = loadConfig({}, '/app');
    expect(exposed.sort()).toEqual([defaults.port, defaults.metricsPort].sort());
    // The default SQLite file is inside the declared volume.
    expect(defaults.database).toEqual({ dialect: 'sqlite', file: `${dataFolder}/versions.sqlite` });
    expect(imageVersion).toBe(packageVersion);
  });
});

for (const file of ['deploy/kubernetes.yaml', 'deploy/kubernetes-sqlite.yaml']) {
  describe(file, () => {
    const all = manifests(file);
    const workloads = all.filter((m) => ['Deployment', 'StatefulSet'].includes(m.kind));
    const configMaps = new Map(
      all.filter((m) => m.kind === 'ConfigMap').map((m) => [m.metadata.name, m.data ?? {}]),
    );

    it('has a workload', () => {
      expect(workloads.length).toBeGreaterThan(0);
    });

    for (const workload of workloads) {
      const pod = workload.spec!.template!.spec;
      for (const container of pod.containers) {
        const where = `${file} ${workload.metadata.name}/${container.name}`;
        const ports = new Map((container.ports ?? []).map((p) => [p.name, p.containerPort]));
        const portOf = (probe?: Probe) => {
          const port = probe?.httpGet?.port;
          return typeof port === 'string' ? ports.get(port) : port;
        };
        // The variables the container gets: from its ConfigMaps, then its own env.
        const fromConfigMaps = Object.assign(
          {},
          ...(container.envFrom ?? []).map((source) => configMaps.get(source.configMapRef?.name ?? '') ?? {}),
        ) as Record<string, string>;
        const variables = [...Object.keys(fromConfigMaps), ...(container.env ?? []).map((e) => e.name)];
        // What the Secret would hold, with stand-in values, so that loadConfig can check the rest.
        const secrets = Object.fromEntries(
          (container.env ?? []).filter((e) => e.valueFrom).map((e) => [e.name, stub(e.name)]),
        );

        it(`${where}: probes liveness on /api/v1/health and readiness on /api/v1/healthz, on the API port`, () => {
          expect(container.startupProbe?.httpGet?.path).toBe('/api/v1/health');
          expect(container.livenessProbe?.httpGet?.path).toBe('/api/v1/health');
          expect(container.readinessProbe?.httpGet?.path).toBe('/api/v1/healthz');
          for (const probe of [container.startupProbe, container.livenessProbe, container.readinessProbe]) {
            expect(portOf(probe)).toBe(Number(fromConfigMaps.APP_PORT ?? 8080));
          }
        });

        it(`${where}: requests CPU and memory, and limits memory`, () => {
          expect(container.resources?.requests?.cpu).toMatch(/^\d+m?$/);
          expect(container.resources?.requests?.memory).toMatch(/^\d+(Mi|Gi)$/);
          expect(container.resources?.limits?.memory).toMatch(/^\d+(Mi|Gi)$/);
        });

        it(`${where}: runs as the image's user, read-only, without privilege escalation`, () => {
          expect(pod.securityContext?.runAsNonRoot).toBe(true);
          expect(pod.securityContext?.runAsUser).toBe(Number(imageUser?.[1]));
          expect(pod.securityContext?.runAsGroup).toBe(Number(imageUser?.[2]));
          expect(container.securityContext).toMatchObject({
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          });
        });

        it(`${where}: uses the image's version and ports, and only variables the service reads`, () => {
          expect(container.image).toMatch(new RegExp(`/versions:${packageVersion.replace(/\./g, '\\.')}$`));
          expect([...ports.values()].sort()).toEqual(exposed.slice().sort());
          expect(ports.get('http')).toBe(Number(fromConfigMaps.APP_PORT ?? 8080));
          expect(ports.get('metrics')).toBe(Number(fromConfigMaps.APP_METRICS_PORT ?? 9101));
          for (const name of variables) expect(configVariables, `${where}: ${name}`).toContain(name);
          // The ConfigMap's values pass the service's own checks.
          expect(() => loadConfig({ ...fromConfigMaps, ...secrets }, '/app')).not.toThrow();
        });

        it(`${where}: mounts a data volume at the image's data folder exactly when it uses SQLite`, () => {
          const config = loadConfig({ ...fromConfigMaps, ...secrets }, '/app');
          const dataMount = (container.volumeMounts ?? []).find((m) => m.mountPath === dataFolder);
          if (config.database.dialect === 'sqlite') {
            const volume = pod.volumes?.find((v) => v.name === dataMount?.name);
            expect(volume?.persistentVolumeClaim?.claimName, 'a PersistentVolumeClaim').toBeTruthy();
            // One process per SQLite file, also while updating.
            expect(workload.spec?.replicas).toBe(1);
            expect(workload.spec?.strategy?.type).toBe('Recreate');
          } else {
            expect(dataMount).toBeUndefined();
          }
        });
      }
    }

    /** A plausible value for a variable held in a Secret, so that loadConfig can check the rest. */
    function stub(name: string): string {
      const driver = Object.assign({}, ...configMaps.values()).SQL_DRIVER as string | undefined;
      if (name === 'DB_URI') {
        return driver === 'postgres' ? 'postgres://u:p@db:5432/versions' : 'mysql://u:p@db:3306/versions';
      }
      if (name === 'REDIS_URI') return 'redis://redis:6379/0';
      return 'secret';
    }
  });
}
