import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const repo = path.resolve(__dirname, "..", "..", "..", "..");
const bin = (name: string) => path.join(repo, "node_modules", ".bin", name);

function listFiles(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`],
  );
}

describe("generated code", () => {
  const out = mkdtempSync(path.join(tmpdir(), "handoff-gen-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("is what protos/ generates today (regenerating changes nothing)", { timeout: 60_000 }, () => {
    execFileSync(bin("buf"), ["generate", "--output", out], { cwd: repo, stdio: "pipe" });
    const fresh = path.join(out, "packages", "proto", "src", "gen");
    execFileSync(bin("prettier"), ["--config", ".prettierrc.json", "--log-level", "warn", "--write", fresh], {
      cwd: repo,
      stdio: "pipe",
    });

    const committed = path.join(repo, "packages", "proto", "src", "gen");
    expect(listFiles(fresh)).toEqual(listFiles(committed));
    for (const file of listFiles(committed)) {
      expect(readFileSync(path.join(fresh, file), "utf8"), file).toBe(readFileSync(path.join(committed, file), "utf8"));
    }
  });
});
