// Types of bundles.mjs for the TypeScript tests that import it.
import type { BuildOptions } from "esbuild";

export const BUDGETS: { loader: number; ui: number };
export function bundleOptions(outdir: string): { loader: BuildOptions; ui: BuildOptions };
export const STATIC_DIR: string;
export const DEMO_DIR: string;
export function gzipBytes(contents: Uint8Array | string): number;
