// A fleet's worker process: receives one FleetJob over IPC, runs the fleet module's program for
// the job's tenant as an Automation API inline program, and sends back the FleetResult. One stack
// per process, so that Pulumi's handlers of uncaught errors see this stack's program alone.
import * as pulumi from '@pulumi/pulumi';
import { LocalWorkspace, PulumiCommand } from '@pulumi/pulumi/automation';
import { errorText, FleetJob, FleetResult, loadFleetModule } from './fleet';

async function run(job: FleetJob): Promise<FleetResult> {
  const start = Date.now();
  const result = (status: FleetResult['status'], changes: Readonly<Record<string, number>> = {}, error?: string): FleetResult =>
    ({ tenant: job.tenant.name, action: job.action, status, changes, durationMs: Date.now() - start, ...error !== undefined ? { error } : {} });
  try {
    const definition = loadFleetModule(job.module);
    const pulumiCommand = await PulumiCommand.get({ root: job.pulumiRoot });
    const stack = await LocalWorkspace.createOrSelectStack(
      {
        projectName: job.projectName,
        stackName: job.tenant.name,
        program: async () => definition.program(job.tenant, { kubeconfig: job.kubeconfig === undefined ? undefined : pulumi.secret(job.kubeconfig) }),
      },
      { pulumiCommand, envVars: job.envVars, projectSettings: { name: job.projectName, runtime: 'nodejs', backend: { url: job.backendUrl } } },
    );
    switch (job.action) {
      case 'preview':
        return result('succeeded', (await stack.preview()).changeSummary);
      case 'up':
        return result('succeeded', (await stack.up()).summary.resourceChanges ?? {});
      default:
        return result('succeeded', (await stack.destroy()).summary.resourceChanges ?? {});
    }
  } catch (e) {
    return result('failed', {}, errorText(e));
  }
}

process.once('message', (job: FleetJob) => {
  void run(job).then((result) => process.send!(result, () => process.exit(0)));
});
