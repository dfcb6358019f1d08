/** What a scenario parameter may hold; lists are written `--rates=1000,5000` on the command line. */
export type ParameterValue = number | boolean | string | readonly number[];

export interface ParameterSpec<V extends ParameterValue> {
  default: V;
  help: string;
}

/** One entry per parameter: its default and a line of help. The defaults are the named scenario. */
export type ScenarioSpec<P extends Record<string, ParameterValue>> = { [K in keyof P]: ParameterSpec<P[K]> };

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function parseValue(flag: string, raw: string, template: ParameterValue): ParameterValue {
  if (typeof template === "boolean") {
    if (raw === "true" || raw === "1") return true;
    if (raw === "false" || raw === "0") return false;
    throw new Error(`--${flag} takes true or false, got "${raw}"`);
  }
  if (typeof template === "number") {
    const value = Number(raw.replaceAll("_", ""));
    if (!Number.isFinite(value)) throw new Error(`--${flag} takes a number, got "${raw}"`);
    return value;
  }
  if (typeof template === "string") return raw;
  const list = raw.split(",").map((part) => Number(part.trim().replaceAll("_", "")));
  if (list.length === 0 || list.some((value) => !Number.isFinite(value))) {
    throw new Error(`--${flag} takes a comma list of numbers, got "${raw}"`);
  }
  return list;
}

/** The help text: every flag with its default. */
export function describeParameters<P extends Record<string, ParameterValue>>(
  scenario: string,
  spec: ScenarioSpec<P>,
): string {
  const lines = [`${scenario}: parameters (defaults are the named scenario; override with --flag=value)`];
  for (const [name, entry] of Object.entries(spec) as [string, ParameterSpec<ParameterValue>][]) {
    const shown = Array.isArray(entry.default) ? entry.default.join(",") : String(entry.default);
    lines.push(`  --${kebab(name).padEnd(28)} ${shown.padEnd(14)} ${entry.help}`);
  }
  return lines.join("\n");
}

/**
 * Reads `--kebab-name=value` / `--kebab-name value` flags (booleans also as `--flag` / `--no-flag`) over
 * the scenario's defaults. An unknown flag is refused by name, so a typo never runs the wrong load.
 */
export function parseParameters<P extends Record<string, ParameterValue>>(
  scenario: string,
  spec: ScenarioSpec<P>,
  argv: readonly string[] = process.argv.slice(2),
): P {
  const byFlag = new Map(Object.keys(spec).map((name) => [kebab(name), name as keyof P & string]));
  const entries = Object.entries(spec) as [string, ParameterSpec<ParameterValue>][];
  const values: Record<string, ParameterValue> = Object.fromEntries(
    entries.map(([name, entry]) => [name, entry.default]),
  );
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") {
      console.log(describeParameters(scenario, spec));
      process.exit(0);
    }
    if (!arg.startsWith("--")) throw new Error(`unexpected argument "${arg}"\n${describeParameters(scenario, spec)}`);
    const eq = arg.indexOf("=");
    let flag = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    let raw = eq >= 0 ? arg.slice(eq + 1) : undefined;
    if (raw === undefined && flag.startsWith("no-") && typeof values[byFlag.get(flag.slice(3)) ?? ""] === "boolean") {
      flag = flag.slice(3);
      raw = "false";
    }
    const name = byFlag.get(flag);
    if (!name) throw new Error(`unknown flag --${flag}\n${describeParameters(scenario, spec)}`);
    const template = (spec[name] as ParameterSpec<ParameterValue>).default;
    if (raw === undefined) raw = typeof template === "boolean" ? "true" : argv[++i];
    if (raw === undefined) throw new Error(`--${flag} needs a value`);
    values[name] = parseValue(flag, raw, template);
  }
  return values as P;
}
