import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import dockerignore from "@balena/dockerignore";
import { describe, expect, it } from "vitest";
import { dockerfileStages, imageCommand, repoRoot } from "../dockerfile";

const rules = readFileSync(path.join(repoRoot, ".dockerignore"), "utf8");
const ignore = dockerignore({ ignorecase: false }).add(rules.split("\n"));

/** Every file `docker build .` would send, walking the work tree as the Docker CLI does. */
function buildContext(dir = ""): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(path.join(repoRoot, dir), { withFileTypes: true })) {
    const relative = dir ? `${dir}/${entry.name}` : entry.name;
    if (ignore.ignores(relative)) continue;
    if (entry.isDirectory()) files.push(...buildContext(relative));
    else files.push(relative);
  }
  return files;
}

const workspaces = (JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { workspaces: string[] })
  .workspaces;

describe("the image's build context", () => {
  // A negation would re-include files under a skipped directory, which this walk does not descend.
  it("has no negated .dockerignore rules, so skipping an ignored directory skips all of it", () => {
    expect(rules.split("\n").filter((line) => line.trim().startsWith("!"))).toEqual([]);
  });

  const context = buildContext();

  it("holds no git history, cache, host node_modules, build output or tests", () => {
    const forbidden = context.filter((file) =>
      /(^|\/)(\.git|\.cache|\.notes|node_modules|dist|test|test-artifacts)(\/|$)|\.tsbuildinfo$/.test(file),
    );
    expect(forbidden).toEqual([]);
    expect(context.length).toBeLessThan(2_000);
  });

  it("holds the lockfile, every workspace's package.json and the sources the build compiles", () => {
    const expected = [
      "package.json",
      "package-lock.json",
      "tsconfig.json",
      "tsconfig.base.json",
      "scripts/copy-assets.mjs",
    ];
    for (const pattern of workspaces) {
      const dirs = pattern.endsWith("/*")
        ? readdirSync(path.join(repoRoot, pattern.slice(0, -2))).map((name) => `${pattern.slice(0, -2)}/${name}`)
        : [pattern];
      for (const dir of dirs)
        if (existsSync(path.join(repoRoot, dir, "package.json"))) expected.push(`${dir}/package.json`);
    }
    expected.push("services/acd/src/main.ts", "packages/proto/src/index.ts", "protos/handoff/v1/common.proto");
    expect(context).toEqual(expect.arrayContaining(expected));
  });

  it("has every source the Dockerfile copies from the host", () => {
    const copies = dockerfileStages()
      .flat()
      .filter((entry) => (entry.name === "COPY" || entry.name === "ADD") && !entry.raw.includes("--from="));
    for (const copy of copies) {
      const words = (copy.args as string[]).filter((word) => !word.startsWith("--"));
      for (const source of words.slice(0, -1)) {
        const inContext = source === "." || context.some((file) => file === source || file.startsWith(`${source}/`));
        expect(inContext, `${copy.raw}: ${source}`).toBe(true);
      }
    }
  });
});

describe("the image", () => {
  it("builds on Node 24, runs as a non-root user and starts Node under tini in the exec form", () => {
    const stages = dockerfileStages();
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const last = stages.at(-1) ?? [];
    expect(last.findLast((entry) => entry.name === "USER")?.args).not.toMatch(/^(root|0)$/);
    expect(last.some((entry) => entry.name === "USER")).toBe(true);
    expect(readFileSync(path.join(repoRoot, "Dockerfile"), "utf8")).toMatch(/^ARG NODE_IMAGE=node:24-[\w-]*slim$/m);
    const { argv, env } = imageCommand();
    expect(argv.slice(0, 3)).toEqual(["/usr/bin/tini", "--", "node"]);
    expect(env.NODE_ENV).toBe("production");
  });

  it("installs production dependencies only in what it runs", () => {
    const build = readFileSync(path.join(repoRoot, "Dockerfile"), "utf8");
    expect(build).toMatch(/npm prune --omit=dev/);
    const runtimeCopies = (dockerfileStages().at(-1) ?? []).filter((entry) => entry.name === "COPY");
    expect(runtimeCopies.every((entry) => entry.raw.includes("--from=build"))).toBe(true);
  });
});
