import { javascript, typescript } from 'projen';

// projen owns package.json, tsconfig*.json, .eslintrc.json, .gitignore and the task list:
// edit this file and run `npx projen`, never the generated files.
const project = new typescript.TypeScriptProject({
  name: 'saasplane',
  description: 'Run any Helm chart as a multi-tenant SaaS on Kubernetes, written as code (cdk8s constructs and Pulumi components over one core).',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  license: 'Apache-2.0',
  copyrightOwner: 'saasplane authors',
  // Pulumi's Node.js SDK does not accept TypeScript 7 yet: stay on 5.x everywhere.
  typescriptVersion: '~5.9.3',
  minNodeVersion: '20.0.0',
  github: false,
  release: false,
  package: false,
  depsUpgrade: false,
  sampleCode: false,
  // `npx saasplane` in a project that installed the package (npm makes the file executable on install).
  bin: { saasplane: 'lib/cli/bin.js' },
  jestOptions: {
    jestVersion: '^29',
    jestConfig: {
      // helm renders and real-file tests dominate: give them room, keep runs serial-friendly on 2 cores.
      testTimeout: 120_000,
      testPathIgnorePatterns: ['/node_modules/', '/examples/'],
      coveragePathIgnorePatterns: ['/node_modules/'],
    },
  },
  tsconfig: {
    compilerOptions: {
      // helm's JSON and the frameworks' declarations are wide: keep strict, skip checking libraries
      skipLibCheck: true,
    },
  },
  // Each front-end's framework is a peer: users bring the one they use (see peerDependenciesMeta).
  peerDeps: ['cdk8s@^2.70.0', 'constructs@^10.4.0', '@pulumi/pulumi@^3.245.0', '@pulumi/kubernetes@^4.32.0'],
  // yaml parses (helm output, Chart.yaml); js-yaml writes (5x faster, and quotes YAML 1.1 booleans such as "on" for kubectl).
  deps: ['yaml@^2.8.0', 'js-yaml@^4.1.0', 'ajv@^8.17.0', 'kubernetes-types@^1.30.0', 'ajv-formats@^3.0.1'],
  devDeps: ['jest-util@^29', 'fast-check@^4', '@grafana/schema@^13.2.3', 'cdk8s-cli@^2.200.0', '@types/node@^20', '@types/js-yaml@^4', '@pulumi/eslint-plugin@^0.3.1', 'pngjs@^7', '@types/pngjs@^6'],
  gitignore: ['/test-output/', '/examples/cdk8s/dist/', '/bench-output/', '*.tmp-*', '.saasplane-fleet.json'],
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'bench', 'examples'],
    ignorePatterns: ['examples/**/dist/**', 'examples/charts/**'],
  },
});

// Pulumi's own lint rules where Outputs are handled: an Output in a template string is a bug.
project.eslint?.addPlugins('@pulumi');
project.eslint?.addOverride({
  files: ['src/pulumi/**/*.ts', 'examples/pulumi/**/*.ts', 'test/pulumi/**/*.ts'],
  rules: {
    '@pulumi/no-output-in-template-literal': 'error',
    '@pulumi/no-output-instance-in-template-literal': 'error',
  },
});

// Subpath exports: the root is the engine-agnostic core, front-ends live under their own names.
project.package.addField('exports', {
  '.': { types: './lib/index.d.ts', default: './lib/index.js' },
  './constructs': { types: './lib/constructs/index.d.ts', default: './lib/constructs/index.js' },
  './pulumi': { types: './lib/pulumi/index.d.ts', default: './lib/pulumi/index.js' },
  './package.json': './package.json',
});
project.package.addField('peerDependenciesMeta', {
  'cdk8s': { optional: true },
  'constructs': { optional: true },
  '@pulumi/pulumi': { optional: true },
  '@pulumi/kubernetes': { optional: true },
});
project.package.addField('typesVersions', {
  '*': { constructs: ['lib/constructs/index.d.ts'], pulumi: ['lib/pulumi/index.d.ts'] },
});

// bench/ and examples/ are type-checked and linted like test/ (ts-node runs them).
for (const dir of ['bench', 'examples']) {
  new javascript.TypescriptConfig(project, {
    fileName: `${dir}/tsconfig.json`,
    extends: javascript.TypescriptConfigExtends.fromPaths(['../tsconfig.json']),
    include: ['**/*.ts'],
    exclude: ['node_modules', '**/dist/**'],
    compilerOptions: { noEmit: true, rootDir: '..' },
  });
}

project.addTask('example', {
  description: 'Synthesize the example offering into examples/cdk8s/dist',
  cwd: 'examples/cdk8s',
  exec: 'ts-node --transpile-only main.ts && find dist -type f | sort',
});

project.addTask('bench', {
  description: 'Synthesize 100, 1,000 and 5,000 tenants and print seconds, tenants/s, peak RSS and the ratio to a plain-YAML floor',
  exec: 'ts-node --transpile-only bench/synth.bench.ts',
});

project.addTask('bench:fleet', {
  description: 'Pulumi on the real engine and the dev cluster: 20 tenant stacks up at concurrency 1, 2 and 4, and one tenant against a hand-written program',
  exec: 'ts-node --transpile-only bench/fleet.bench.ts',
});

project.addTask('saasplane', {
  description: 'Run the saasplane CLI from source, e.g. `npm run saasplane -- dev-cluster up --nodes 1`',
  exec: 'ts-node --transpile-only src/cli/bin.ts',
  receiveArgs: true,
});
// npm runs the CLI directly (not through `projen saasplane`): its exit codes (2 = bad arguments) reach the caller.
project.package.setScript('saasplane', 'ts-node --transpile-only src/cli/bin.ts');

project.synth();
