// The CLI's building blocks, for programs and integration tests: tools, API client, dev cluster, kubeconfigs.
export * from './tools';
export * from './kube-client';
export * from './dev-cluster';
export * from './kubeconfig';
export { COMMANDS, Command, CommandError, CliIo, main, registerCommand, UsageError } from './main';
