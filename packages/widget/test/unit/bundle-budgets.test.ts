import { readFileSync } from "node:fs";
import path from "node:path";
import * as esbuild from "esbuild";
import { describe, expect, it } from "vitest";
import { BUDGETS, STATIC_DIR, bundleOptions, gzipBytes } from "../../bundles.mjs";

/** Bundles in memory from the sources as they are now, exactly as build.mjs does. */
async function gzipSize(options: esbuild.BuildOptions): Promise<number> {
  const result = await esbuild.build({ ...options, write: false, logLevel: "silent" });
  return result.outputFiles.reduce((sum, file) => sum + gzipBytes(file.contents), 0);
}

describe("widget size budgets", () => {
  const options = bundleOptions(path.join(import.meta.dirname, "out"));

  it("keeps the loader within 5 KB gzip", async () => {
    const bytes = await gzipSize(options.loader);
    expect(bytes).toBeGreaterThan(0);
    expect(bytes).toBeLessThanOrEqual(BUDGETS.loader);
  });

  it("keeps the frame UI (script, styles, page) within 80 KB gzip", async () => {
    const page = ["widget.css", "frame.html"].reduce(
      (sum, file) => sum + gzipBytes(readFileSync(path.join(STATIC_DIR, file))),
      0,
    );
    const bytes = (await gzipSize(options.ui)) + page;
    expect(bytes).toBeLessThanOrEqual(BUDGETS.ui);
  });
});
