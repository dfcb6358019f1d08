// Bundles the wallboard (src/main.ts with uPlot and its styles) with esbuild into dist/, next to the
// static page and its styles: the folder reporting serves at /wallboard/. Types are checked by
// `tsc -b` (tsconfig.json), not here.
import { cpSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import * as esbuild from "esbuild";

const here = import.meta.dirname;
const outdir = path.join(here, "dist");

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
cpSync(path.join(here, "static"), outdir, { recursive: true });

await esbuild.build({
  entryPoints: [path.join(here, "src", "main.ts")],
  // Also writes wallboard.css: the chart's styles imported by the script.
  outfile: path.join(outdir, "wallboard.js"),
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  sourcemap: true,
  logLevel: "warning",
});
