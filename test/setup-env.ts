// Points the tests at the helm that scripts/install-tools.sh builds, unless HELM_BINARY is set.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PINNED_HELM_VERSION } from '../src/core/helm';

if (!process.env.HELM_BINARY) {
  const tools = process.env.SAASPLANE_TOOLS ?? path.join(os.homedir(), '.cache', 'saasplane', 'tools');
  const cached = path.join(tools, `helm-${PINNED_HELM_VERSION}`, 'helm');
  if (fs.existsSync(cached)) {
    process.env.HELM_BINARY = cached;
  }
}
