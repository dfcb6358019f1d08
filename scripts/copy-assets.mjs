// Copies the non-TypeScript files read at runtime into the build: Lua scripts and SQL migrations from
// src/ to dist/ (same relative paths), and the .proto sources into @handoff/proto for gRPC reflection.
import { cpSync, existsSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const ASSET = /\.(lua|sql)$/;

for (const group of ["services", "packages"]) {
  for (const name of readdirSync(path.join(root, group))) {
    const src = path.join(root, group, name, "src");
    if (!existsSync(src)) continue;
    const dist = path.join(root, group, name, "dist");
    // An asset removed or moved in src must go from dist too: Lua modules are loaded by directory.
    if (existsSync(dist))
      for (const file of readdirSync(dist, { recursive: true, encoding: "utf8" }))
        if (ASSET.test(file) && !existsSync(path.join(src, file))) rmSync(path.join(dist, file));
    cpSync(src, dist, {
      recursive: true,
      // Directories have no extension; of the files only the assets are copied.
      filter: (file) => !path.extname(file) || ASSET.test(file),
    });
  }
}

cpSync(path.join(root, "protos"), path.join(root, "packages", "proto", "protos"), { recursive: true });
