import type { BuildOptions } from 'esbuild';

export const LAMBDA_RUNTIME_PACKAGES: string[];
export const requireShim: string;
export function bundleOptions(external: string[]): BuildOptions;
export function withEtcd3Inside(options: BuildOptions): BuildOptions;
export function lambdaOptions(options?: { etcd3?: boolean }): BuildOptions;
