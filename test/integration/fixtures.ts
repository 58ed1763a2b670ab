// What a cluster provides around an offering, for the tests on the dev cluster.
// (Not a test file: jest only collects *.test.ts.)
import type { ClusterHandle } from '../../src/cli';

/** The StorageClass "standard" the example offering allows, expandable, with `volumes` 20Gi volumes to bind (no provisioner here). */
export function storage(volumes = 4): string {
  return `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: { name: standard }
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: Immediate
allowVolumeExpansion: true
${persistentVolumes('local', volumes)}`;
}

/** `count` 20Gi PersistentVolumes of the class "standard", named `<prefix>-<i>` (a released volume is not bound again: use a new prefix). */
export function persistentVolumes(prefix: string, count: number): string {
  return Array.from({ length: count }, (_, i) => `---
apiVersion: v1
kind: PersistentVolume
metadata: { name: ${prefix}-${i} }
spec:
  capacity: { storage: 20Gi }
  accessModes: [ReadWriteOnce]
  storageClassName: standard
  hostPath: { path: /tmp/${prefix}-${i} }
`).join('');
}

/**
 * Applies the Prometheus Operator CRDs in `crds` and waits until the API serves them. `kubectl wait`
 * fails outright (rather than waiting) on a CRD whose status has no conditions yet, so it is retried.
 */
export async function applyCrds(cluster: Pick<ClusterHandle, 'kubectl'>, crds: string): Promise<void> {
  const applied = await cluster.kubectl(['apply', '--server-side', '-f', crds]);
  if (applied.code !== 0) throw new Error(`kubectl apply ${crds}: ${applied.stderr}`);
  let last = '';
  for (let attempt = 0; attempt < 60; attempt += 1) {
    const waited = await cluster.kubectl(['wait', '--for=condition=Established', '--timeout=60s',
      'crd/servicemonitors.monitoring.coreos.com', 'crd/prometheusrules.monitoring.coreos.com']);
    if (waited.code === 0) return;
    last = waited.stderr;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the Prometheus Operator CRDs did not become Established: ${last}`);
}
