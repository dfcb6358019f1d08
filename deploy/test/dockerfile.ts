import { readFileSync } from "node:fs";
import path from "node:path";
import { parse, type CommandEntry } from "docker-file-parser";

export const repoRoot = path.resolve(__dirname, "..", "..");

/** The root Dockerfile's instructions, split into stages at each FROM. */
export function dockerfileStages(): CommandEntry[][] {
  const stages: CommandEntry[][] = [];
  for (const entry of parse(readFileSync(path.join(repoRoot, "Dockerfile"), "utf8"), { includeComments: false })) {
    if (entry.name === "FROM") stages.push([]);
    stages.at(-1)?.push(entry);
  }
  return stages;
}

/** An exec-form instruction's words; the shell form is refused, as it would put a shell between tini and Node. */
export function execForm(entry: CommandEntry | undefined): string[] {
  if (!entry || !Array.isArray(entry.args))
    throw new Error(`${entry?.raw ?? "instruction"} must use the exec (JSON) form`);
  return entry.args;
}

/** The final stage's ENTRYPOINT followed by its CMD: what `docker run <image>` executes. */
export function imageCommand(): { argv: string[]; workdir: string; env: Record<string, string> } {
  const last = dockerfileStages().at(-1) ?? [];
  const find = (name: string) => last.findLast((entry) => entry.name === name);
  const env: Record<string, string> = {};
  for (const entry of last.filter((e) => e.name === "ENV")) Object.assign(env, entry.args);
  const workdir = find("WORKDIR")?.args;
  return {
    argv: [...execForm(find("ENTRYPOINT")), ...execForm(find("CMD"))],
    workdir: typeof workdir === "string" ? workdir : "/",
    env,
  };
}
