import type { BuildOptions } from 'esbuild';

export const LAMBDA_RUNTIME_PACKAGES: string[];
export function bundleOptions(external: string[]): BuildOptions;
export function lambdaOptions(): BuildOptions;
