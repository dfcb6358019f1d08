import { accessSync, constants, readdirSync, realpathSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";

/** The Debian package that provides each binary the harness runs. */
const DEBIAN_PACKAGES = {
  "redis-server": "redis-server",
  "redis-cli": "redis-tools",
  java: "openjdk-17-jre-headless",
  mvn: "maven",
  initdb: "postgresql",
  postgres: "postgresql",
} as const;

export type Binary = keyof typeof DEBIAN_PACKAGES;

/** Debian keeps the PostgreSQL server binaries off PATH, one folder per major version. */
const POSTGRES_LIB = "/usr/lib/postgresql";

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function postgresBinDirs(): string[] {
  let versions: string[];
  try {
    versions = readdirSync(POSTGRES_LIB);
  } catch {
    return [];
  }
  return versions
    .filter((version) => /^\d+(\.\d+)?$/.test(version))
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => join(POSTGRES_LIB, version, "bin"));
}

function searchPath(name: string): string | undefined {
  for (const dir of (process.env["PATH"] ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The absolute path of a binary, from PATH or (for PostgreSQL) /usr/lib/postgresql/<newest>/bin;
 * otherwise throws one line naming the Debian package to install.
 */
export function requireBinary(name: Binary): string {
  let found = searchPath(name);
  if (found === undefined && (name === "initdb" || name === "postgres")) {
    found = postgresBinDirs()
      .map((dir) => join(dir, name))
      .find(isExecutable);
  }
  if (found === undefined) {
    throw new Error(
      `${name} not found (on PATH${name === "initdb" || name === "postgres" ? ` or in ${POSTGRES_LIB}/*/bin` : ""}): ` +
        `run scripts/setup.sh, which installs what is missing (or \`apt-get install ${DEBIAN_PACKAGES[name]}\`)`,
    );
  }
  return found;
}

/**
 * initdb and the postgres server of one installation (same major version): postgres is looked up
 * next to the real path of initdb, since PATH may hold only a symlink to initdb.
 */
export function requirePostgresBinaries(): { initdb: string; postgres: string } {
  const initdb = requireBinary("initdb");
  const besideInitdb = join(dirname(realpathSync(initdb)), "postgres");
  const postgres = isExecutable(besideInitdb) ? besideInitdb : requireBinary("postgres");
  return { initdb, postgres };
}
