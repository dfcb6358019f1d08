// Bundles the console (src/main.ts and the SDK it imports) with esbuild into dist/, next to the
// static page and its styles: the folder the session-broker serves at /console/. Types are checked by
// `tsc -b` (tsconfig.json), not here. `--watch` rebuilds on change.
import { cpSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import * as esbuild from "esbuild";

const here = import.meta.dirname;
const outdir = path.join(here, "dist");

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
cpSync(path.join(here, "static"), outdir, { recursive: true });

const options = {
  entryPoints: [path.join(here, "src", "main.ts")],
  outfile: path.join(outdir, "console.js"),
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  sourcemap: true,
  // Resolves the SDK through its package exports (the compiled dist/ of packages/agent-sdk).
  conditions: ["import"],
  logLevel: "warning",
};

if (process.argv.includes("--watch")) {
  const context = await esbuild.context(options);
  await context.watch();
  console.log(`watching; bundles into ${path.relative(process.cwd(), outdir)}`);
} else {
  await esbuild.build(options);
}
