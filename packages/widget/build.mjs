// Bundles the widget into dist/ (what intake serves at /widget/): loader.js for the host page, and
// frame.html + widget.js + widget.css for the frame; dist/demo/ is the demo host page. Prints each
// part's gzip size against its budget and fails when one is over. Types are checked by `tsc -b`.
import { cpSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import * as esbuild from "esbuild";
import { BUDGETS, DEMO_DIR, STATIC_DIR, bundleOptions, gzipBytes } from "./bundles.mjs";

const outdir = path.join(import.meta.dirname, "dist");
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
cpSync(STATIC_DIR, outdir, { recursive: true });
cpSync(DEMO_DIR, path.join(outdir, "demo"), { recursive: true });

const options = bundleOptions(outdir);
await Promise.all(Object.values(options).map((bundle) => esbuild.build(bundle)));

const size = (...files) => files.reduce((sum, file) => sum + gzipBytes(readFileSync(path.join(outdir, file))), 0);
const sizes = { loader: size("loader.js"), ui: size("widget.js", "widget.css", "frame.html") };
let over = false;
for (const [part, bytes] of Object.entries(sizes)) {
  over ||= bytes > BUDGETS[part];
  console.log(`widget ${part}: ${(bytes / 1024).toFixed(1)} KB gzip (budget ${BUDGETS[part] / 1024} KB)`);
}
if (over) {
  console.error("widget: a bundle is over its budget");
  process.exit(1);
}
