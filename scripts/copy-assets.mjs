// Copies the non-TypeScript files read at runtime into the build: Lua scripts and SQL migrations from
// src/ to dist/ (same relative paths), and the .proto sources into @handoff/proto for gRPC reflection.
import { cpSync, existsSync, readdirSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const ASSET = /\.(lua|sql)$/;

for (const group of ["services", "packages"]) {
  for (const name of readdirSync(path.join(root, group))) {
    const src = path.join(root, group, name, "src");
    if (!existsSync(src)) continue;
    cpSync(src, path.join(root, group, name, "dist"), {
      recursive: true,
      // Directories have no extension; of the files only the assets are copied.
      filter: (file) => !path.extname(file) || ASSET.test(file),
    });
  }
}

cpSync(path.join(root, "protos"), path.join(root, "packages", "proto", "protos"), { recursive: true });
