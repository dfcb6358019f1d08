// Bundles the wallboard (src/main.ts with uPlot and its styles) with esbuild into dist/, next to the
// static page and its styles: the folder reporting serves at /wallboard/. Types are checked by
// `tsc -b` (tsconfig.json), not here. Prints what a browser downloads, gzipped.
import { cpSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
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

const files = ["index.html", "page.css", "wallboard.css", "wallboard.js"];
const bytes = files.reduce((sum, file) => sum + gzipSync(readFileSync(path.join(outdir, file))).length, 0);
console.log(`wallboard: ${(bytes / 1024).toFixed(1)} KB gzip (${files.join(", ")})`);
