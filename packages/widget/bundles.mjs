// What the widget is made of, for build.mjs and the budget test: the two esbuild bundles (the
// loader on the host page, the UI in the frame) and the gzip budget each must stay under.
import path from "node:path";
import { gzipSync } from "node:zlib";

const here = import.meta.dirname;

/** Issue 9: the loader ≤ 5 KB gzip, the UI ≤ 80 KB gzip (script and styles the frame loads). */
export const BUDGETS = { loader: 5 * 1024, ui: 80 * 1024 };

const common = {
  bundle: true,
  minify: true,
  target: "es2022",
  format: "iife",
  logLevel: "warning",
  legalComments: "none",
};

/** esbuild options of each bundle, writing into `outdir`. */
export const bundleOptions = (outdir) => ({
  loader: {
    ...common,
    entryPoints: [path.join(here, "src", "loader", "loader.ts")],
    outfile: path.join(outdir, "loader.js"),
  },
  ui: { ...common, entryPoints: [path.join(here, "src", "frame", "main.ts")], outfile: path.join(outdir, "widget.js") },
});

export const STATIC_DIR = path.join(here, "static");
export const DEMO_DIR = path.join(here, "demo");

export const gzipBytes = (contents) => gzipSync(contents, { level: 9 }).length;
