import { offeringSpec, resolved } from './fixtures';
import type { KubeObject } from '../../src/core/kube';
import type { ContainerDefaults, QuotaSpec } from '../../src/core/model';
import { planFitProblems } from '../../src/core/plan-fit';

type Resources = { requests?: Record<string, string>; limits?: Record<string, string> };

function tenantOn(quota: QuotaSpec, containerDefaults?: ContainerDefaults) {
  return resolved(offeringSpec({ plans: { p: { quota } }, ...(containerDefaults ? { containerDefaults } : {}) }), { plan: 'p' });
}

function container(name: string, resources?: Resources) {
  return { name, image: `${name}:1`, ...(resources ? { resources } : {}) };
}

function podTemplate(containers: unknown[], initContainers?: unknown[]) {
  return { metadata: { labels: { app: 'x' } }, spec: { containers, ...(initContainers ? { initContainers } : {}) } };
}

function deployment(name: string, replicas: number | undefined, containers: unknown[], strategy?: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: { ...(replicas === undefined ? {} : { replicas }), ...(strategy ? { strategy } : {}), template: podTemplate(containers) },
  };
}

function statefulSet(name: string, replicas: number, containers: unknown[], claims: Array<[string, string]> = []): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name },
    spec: {
      replicas,
      template: podTemplate(containers),
      volumeClaimTemplates: claims.map(([claim, storage]) => ({ metadata: { name: claim }, spec: { resources: { requests: { storage } } } })),
    },
  };
}

function object(kind: string, name: string, spec?: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind, metadata: { name }, ...(spec ? { spec } : {}) };
}

/** The example chart rendered for tenant acme with replicaCount 2 (web: nginx + exporter sidecar; db: postgres with a 2Gi claim). */
function exampleObjects(strategy?: Record<string, unknown>): KubeObject[] {
  return [
    object('ConfigMap', 'acme-config'),
    object('Service', 'acme-db'),
    object('Service', 'acme-web'),
    deployment('acme-web', 2, [
      container('nginx', { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '250m', memory: '128Mi' } }),
      container('metrics', { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '50m', memory: '32Mi' } }),
    ], strategy),
    statefulSet('acme-db', 1, [container('postgres', { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } })], [['data', '2Gi']]),
    object('Ingress', 'acme'),
  ];
}

const COMPUTE_FIX = (kind: string) => `raise the plan's quota or lower the chart's replicas or ${kind} in the plan's values`;

describe('planFitProblems', () => {
  it("accepts the example chart on the example's small plan", () => {
    expect(planFitProblems(tenantOn({ cpu: '1', cpuLimit: '2', memory: '2Gi', storage: '5Gi', pods: 10 }), exampleObjects())).toEqual([]);
  });

  it('fails when the CPU limits of two web replicas, their surge pod and the database exceed limits.cpu, naming the workloads', () => {
    expect(planFitProblems(tenantOn({ cpu: '1', memory: '2Gi', storage: '5Gi' }), exampleObjects())).toEqual([
      'plan "p" cannot hold the chart: limits.cpu 1400m needed (Deployment "acme-web": 3 pods incl. 1 surge for rolling updates × 300m, '
        + `StatefulSet "acme-db": 1 pod × 500m) but the quota allows 1; ${COMPUTE_FIX('limits')}`,
    ]);
  });

  it('accepts a chart that needs exactly what the quota allows', () => {
    expect(planFitProblems(tenantOn({ cpu: '1', cpuLimit: '1400m', memory: '2Gi', storage: '2Gi', pods: 4 }), exampleObjects())).toEqual([]);
    expect(planFitProblems(tenantOn({ cpu: '1', cpuLimit: '1.4', memory: '2Gi', storage: '2Gi', pods: 4 }), exampleObjects())).toEqual([]);
  });

  it('fails when requests and memory do not fit either, one problem per quota key', () => {
    const problems = planFitProblems(tenantOn({ cpu: '250m', cpuLimit: '2', memory: '400Mi', memoryLimit: '900Mi', storage: '5Gi' }), exampleObjects());
    expect(problems).toEqual([
      'plan "p" cannot hold the chart: requests.cpu 280m needed (Deployment "acme-web": 3 pods incl. 1 surge for rolling updates × 60m, '
        + `StatefulSet "acme-db": 1 pod × 100m) but the quota allows 250m; ${COMPUTE_FIX('requests')}`,
      'plan "p" cannot hold the chart: requests.memory 496Mi needed (Deployment "acme-web": 3 pods incl. 1 surge for rolling updates × 80Mi, '
        + `StatefulSet "acme-db": 1 pod × 256Mi) but the quota allows 400Mi; ${COMPUTE_FIX('requests')}`,
      'plan "p" cannot hold the chart: limits.memory 992Mi needed (Deployment "acme-web": 3 pods incl. 1 surge for rolling updates × 160Mi, '
        + `StatefulSet "acme-db": 1 pod × 512Mi) but the quota allows 900Mi; ${COMPUTE_FIX('limits')}`,
    ]);
  });

  describe('rolling updates', () => {
    it('counts no surge pod for a Recreate strategy', () => {
      const quota = { cpu: '1', cpuLimit: '1100m', memory: '2Gi', storage: '5Gi' };
      expect(planFitProblems(tenantOn(quota), exampleObjects({ type: 'Recreate' }))).toEqual([]);
      expect(planFitProblems(tenantOn({ ...quota, cpuLimit: '1' }), exampleObjects({ type: 'Recreate' }))).toEqual([
        'plan "p" cannot hold the chart: limits.cpu 1100m needed (Deployment "acme-web": 2 pods × 300m, '
          + `StatefulSet "acme-db": 1 pod × 500m) but the quota allows 1; ${COMPUTE_FIX('limits')}`,
      ]);
      expect(planFitProblems(tenantOn(quota), exampleObjects())).toEqual([expect.stringContaining('limits.cpu 1400m needed')]);
    });

    it.each([
      ['the default 25% of 1 replica, rounded up', 1, undefined, 2, 1],
      ['the default 25% of 4 replicas', 4, undefined, 5, 1],
      ['the default 25% of 5 replicas, rounded up', 5, undefined, 7, 2],
      ['maxSurge 50% of 3 replicas, rounded up', 3, { type: 'RollingUpdate', rollingUpdate: { maxSurge: '50%' } }, 5, 2],
      ['maxSurge 2', 3, { rollingUpdate: { maxSurge: 2 } }, 5, 2],
      ['maxSurge 0', 3, { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } }, 3, 0],
      ['no replicas field (1 replica)', undefined, undefined, 2, 1],
    ])('counts the surge pods of %s', (_, replicas, strategy, pods, surge) => {
      const problems = planFitProblems(tenantOn({ cpu: '100', memory: '100Gi', pods: 0 }), [deployment('web', replicas, [container('app')], strategy)]);
      const counted = `${pods} pods${surge ? ` incl. ${surge} surge for rolling updates` : ''}`;
      expect(problems).toEqual([`plan "p" cannot hold the chart: pods ${pods} needed (Deployment "web": ${counted}) but the quota allows 0; raise quota.pods or lower the replicas`]);
    });
  });

  describe('pods of each workload kind', () => {
    it('counts replicas of StatefulSets, ReplicaSets and ReplicationControllers, parallelism of Jobs and CronJobs, one pod per DaemonSet and bare Pods', () => {
      const template = podTemplate([container('app')]);
      const objects = [
        object('Pod', 'debug', { containers: [container('app')] }),
        { ...object('StatefulSet', 'db', { replicas: 3, template }), apiVersion: 'apps/v1' },
        { ...object('ReplicaSet', 'rs', { replicas: 2, template }), apiVersion: 'apps/v1' },
        object('ReplicationController', 'rc', { template }),
        { ...object('DaemonSet', 'agent', { template }), apiVersion: 'apps/v1' },
        { ...object('Job', 'migrate', { parallelism: 4, template }), apiVersion: 'batch/v1' },
        { ...object('CronJob', 'backup', { jobTemplate: { spec: { parallelism: 2, template } } }), apiVersion: 'batch/v1' },
        { ...object('CronJob', 'report', { jobTemplate: { spec: { template } } }), apiVersion: 'batch/v1' },
      ];
      const problems = planFitProblems(tenantOn({ cpu: '100', memory: '100Gi', ephemeralStorage: '1Ti', pods: 14, replicationControllers: 1 }), objects);
      expect(problems).toEqual([
        'plan "p" cannot hold the chart: pods 15 needed (Pod "debug": 1 pod, StatefulSet "db": 3 pods, ReplicaSet "rs": 2 pods, ReplicationController "rc": 1 pod, '
          + 'DaemonSet "agent": 1 pod, Job "migrate": 4 pods, CronJob "backup": 2 pods, CronJob "report": 1 pod) but the quota allows 14; raise quota.pods or lower the replicas',
      ]);
    });

    it('counts nothing for objects without pods', () => {
      expect(planFitProblems(tenantOn({ cpu: '1m', memory: '1Mi', pods: 0 }), [object('ConfigMap', 'c'), object('Ingress', 'i'), object('Role', 'r')])).toEqual([]);
    });
  });

  describe('container resources', () => {
    const tiny = { cpu: '50m', cpuLimit: '400m', memory: '64Mi', memoryLimit: '256Mi', ephemeralStorage: '50Mi' };

    it('uses the LimitRange defaults for a container that sets nothing, as the API server would', () => {
      const where = 'Deployment "app": 1 pod ×';
      expect(planFitProblems(tenantOn(tiny), [deployment('app', 1, [container('app')], { type: 'Recreate' })])).toEqual([
        `plan "p" cannot hold the chart: requests.cpu 100m needed (${where} 100m) but the quota allows 50m; ${COMPUTE_FIX('requests')}`,
        `plan "p" cannot hold the chart: limits.cpu 500m needed (${where} 500m) but the quota allows 400m; ${COMPUTE_FIX('limits')}`,
        `plan "p" cannot hold the chart: requests.memory 128Mi needed (${where} 128Mi) but the quota allows 64Mi; ${COMPUTE_FIX('requests')}`,
        `plan "p" cannot hold the chart: limits.memory 512Mi needed (${where} 512Mi) but the quota allows 256Mi; ${COMPUTE_FIX('limits')}`,
        `plan "p" cannot hold the chart: requests.ephemeral-storage 100Mi needed (${where} 100Mi) but the quota allows 50Mi; ${COMPUTE_FIX('requests')}`,
        `plan "p" cannot hold the chart: limits.ephemeral-storage 1Gi needed (${where} 1Gi) but the quota allows 50Mi; ${COMPUTE_FIX('limits')}`,
      ]);
    });

    it("uses the offering's container defaults", () => {
      const defaults = { cpuRequest: '50m', cpuLimit: '400m', memoryRequest: '64Mi', memoryLimit: '256Mi', ephemeralStorageRequest: '50Mi', ephemeralStorageLimit: '50Mi' };
      expect(planFitProblems(tenantOn(tiny, defaults), [deployment('app', 1, [container('app')], { type: 'Recreate' })])).toEqual([]);
      expect(planFitProblems(tenantOn(tiny, { ...defaults, cpuLimit: '401m' }), [deployment('app', 1, [container('app')], { type: 'Recreate' })])).toEqual([
        expect.stringContaining('limits.cpu 401m needed'),
      ]);
    });

    it('takes the request from the limit when a container sets only the limit, and the default limit when it sets only the request', () => {
      const quota = { cpu: '250m', cpuLimit: '450m', memory: '1Gi' };
      const onlyLimit = deployment('capped', 1, [container('app', { limits: { cpu: '300m' } })], { type: 'Recreate' });
      expect(planFitProblems(tenantOn(quota), [onlyLimit])).toEqual([
        `plan "p" cannot hold the chart: requests.cpu 300m needed (Deployment "capped": 1 pod × 300m) but the quota allows 250m; ${COMPUTE_FIX('requests')}`,
      ]);
      const onlyRequest = deployment('asks', 1, [container('app', { requests: { cpu: '200m' } })], { type: 'Recreate' });
      expect(planFitProblems(tenantOn(quota), [onlyRequest, onlyLimit])).toEqual([
        `plan "p" cannot hold the chart: requests.cpu 500m needed (Deployment "asks": 1 pod × 200m, Deployment "capped": 1 pod × 300m) but the quota allows 250m; ${COMPUTE_FIX('requests')}`,
        `plan "p" cannot hold the chart: limits.cpu 800m needed (Deployment "asks": 1 pod × 500m, Deployment "capped": 1 pod × 300m) but the quota allows 450m; ${COMPUTE_FIX('limits')}`,
      ]);
    });

    it('counts the larger of the containers together and the largest init container', () => {
      const app = container('app', { requests: { cpu: '100m' }, limits: { cpu: '100m' } });
      const init = (cpu: string) => container(`init-${cpu}`, { requests: { cpu }, limits: { cpu } });
      const pod = (initContainers: unknown[]) => object('Pod', 'job', { containers: [app, app], initContainers });
      const quota = { cpu: '250m', memory: '10Gi' };
      expect(planFitProblems(tenantOn(quota), [pod([init('300m'), init('150m')])])).toEqual([
        `plan "p" cannot hold the chart: requests.cpu 300m needed (Pod "job": 1 pod × 300m) but the quota allows 250m; ${COMPUTE_FIX('requests')}`,
        `plan "p" cannot hold the chart: limits.cpu 300m needed (Pod "job": 1 pod × 300m) but the quota allows 250m; ${COMPUTE_FIX('limits')}`,
      ]);
      expect(planFitProblems(tenantOn({ cpu: '200m', memory: '10Gi' }), [pod([init('150m'), init('200m')])])).toEqual([]);
    });

    it('adds native sidecars (init containers with restartPolicy Always) to the containers, as the quota does (bug: counted like init containers)', () => {
      // Kubernetes >= 1.29 runs a restartable init container beside the app containers for the pod's
      // whole life, and the quota admission (PodRequests/PodLimits) adds it to their sum: this pod
      // needs 300m. plan-fit.ts takes max(sum of containers, largest init container) = 200m.
      const sidecar = { ...container('proxy', { requests: { cpu: '100m' }, limits: { cpu: '100m' } }), restartPolicy: 'Always' };
      const pod = object('Pod', 'web', { containers: [container('app', { requests: { cpu: '200m' }, limits: { cpu: '200m' } })], initContainers: [sidecar] });
      expect(planFitProblems(tenantOn({ cpu: '250m', memory: '10Gi' }), [pod])).toEqual([expect.stringContaining('requests.cpu 300m needed'), expect.stringContaining('limits.cpu 300m needed')]);
    });
  });

  describe('storage', () => {
    const db = statefulSet('db', 3, [container('postgres')], [['data', '1Gi'], ['wal', '1Gi']]);
    const uploads = object('PersistentVolumeClaim', 'uploads', { resources: { requests: { storage: '1Gi' } } });

    it('multiplies the claim templates of a StatefulSet by its replicas and adds the claims', () => {
      expect(planFitProblems(tenantOn({ cpu: '4', memory: '8Gi', storage: '5Gi', persistentVolumeClaims: 4 }), [db, uploads])).toEqual([
        'plan "p" cannot hold the chart: requests.storage 7Gi needed (StatefulSet "db": 6Gi, PersistentVolumeClaim "uploads": 1Gi) but the quota allows 5Gi; '
          + "raise quota.storage or lower the claim sizes in the plan's values",
        'plan "p" cannot hold the chart: persistentvolumeclaims 7 needed (StatefulSet "db": 6, PersistentVolumeClaim "uploads": 1) but the quota allows 4; raise quota.persistentVolumeClaims',
      ]);
      expect(planFitProblems(tenantOn({ cpu: '4', memory: '8Gi', storage: '7Gi', persistentVolumeClaims: 7 }), [db, uploads])).toEqual([]);
    });

    it('fails when a plan without storage gets a claim', () => {
      expect(planFitProblems(tenantOn({ cpu: '4', memory: '8Gi' }), [uploads])).toEqual([
        expect.stringMatching(/^plan "p" cannot hold the chart: requests\.storage 1Gi needed \(PersistentVolumeClaim "uploads": 1Gi\) but the quota allows 0; /),
      ]);
    });
  });

  describe('object counts', () => {
    it('counts Services, ConfigMaps with kube-root-ca.crt, Secrets, ReplicationControllers and revisionHistoryLimit + 2 ReplicaSets per Deployment', () => {
      const template = podTemplate([container('app')]);
      const objects = [
        object('Service', 'a'), object('Service', 'b'), object('ConfigMap', 'c'), object('Secret', 's'),
        object('ReplicationController', 'legacy', { replicas: 1, template }),
        deployment('web', 1, [container('app')]), deployment('worker', 1, [container('app')]),
        { ...object('ReplicaSet', 'bare', { replicas: 1, template }), apiVersion: 'apps/v1' },
      ];
      expect(planFitProblems(tenantOn({ cpu: '8', memory: '8Gi', services: 1, configMaps: 1, secrets: 0, replicaSets: 3 }), objects)).toEqual([
        'plan "p" cannot hold the chart: services 2 needed (2 Services) but the quota allows 1; raise quota.services',
        'plan "p" cannot hold the chart: configmaps 2 needed (1 ConfigMaps and kube-root-ca.crt) but the quota allows 1; raise quota.configMaps',
        'plan "p" cannot hold the chart: secrets 1 needed (1 Secrets) but the quota allows 0; raise quota.secrets',
        'plan "p" cannot hold the chart: replicationcontrollers 1 needed (1 ReplicationControllers) but the quota allows 0; raise quota.replicationControllers, or better use a Deployment',
        'plan "p" cannot hold the chart: count/replicasets.apps 25 needed (2 Deployments (their revision history plus 2 ReplicaSets during a rollout) and 1 ReplicaSets) but the quota allows 3; raise quota.replicaSets or lower the Deployments\' revisionHistoryLimit',
      ]);
    });

    it('accepts the counts at their quota, and an empty chart on a plan that allows one ConfigMap', () => {
      const objects = [object('Service', 'a'), object('ConfigMap', 'c'), object('Secret', 's'), deployment('web', 1, [container('app')])];
      expect(planFitProblems(tenantOn({ cpu: '8', memory: '8Gi', services: 1, configMaps: 2, secrets: 1, replicaSets: 12 }), objects)).toEqual([]);
      expect(planFitProblems(tenantOn({ cpu: '1', memory: '1Gi', configMaps: 1 }), [])).toEqual([]);
      expect(planFitProblems(tenantOn({ cpu: '1', memory: '1Gi', configMaps: 0 }), [])).toEqual([
        'plan "p" cannot hold the chart: configmaps 1 needed (0 ConfigMaps and kube-root-ca.crt) but the quota allows 0; raise quota.configMaps',
      ]);
    });
  });
  describe('objects per kind', () => {
    it('fails when the chart renders more objects of a kind than objectsPerKind, counting the default ServiceAccount', () => {
      const objects = [object('CronJob', 'a'), object('CronJob', 'b'), object('ServiceAccount', 'app')];
      expect(planFitProblems(tenantOn({ cpu: '8', memory: '8Gi', objectsPerKind: 1 }), objects)).toEqual([
        'plan "p" cannot hold the chart: count/cronjobs.batch 2 needed (2 CronJobs) but the quota allows 1; raise quota.objectsPerKind',
        'plan "p" cannot hold the chart: count/serviceaccounts 2 needed (1 ServiceAccounts and the default ServiceAccount) but the quota allows 1; raise quota.objectsPerKind',
      ]);
    });
  });
});
