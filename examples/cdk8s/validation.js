// `cdk8s synth` runs saasplane's invariants on this app's output through this plugin (see
// cdk8s.yaml). cdk8s loads plugins as JavaScript; inside this repository the plugin is TypeScript
// source. In your project, point cdk8s.yaml at ./node_modules/saasplane/lib/constructs/validation.js.
require('ts-node').register({ transpileOnly: true, project: require('path').join(__dirname, '..', 'tsconfig.json') });
module.exports = require('../../src/constructs/validation');
