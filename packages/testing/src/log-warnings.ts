/** Warning and error lines (pino's JSON, level 40 and above) among a process's output lines, counted by message. */
export function countWarnings(
  lines: readonly string[],
  counts = new Map<string, number>(),
  prefix = "",
): Map<string, number> {
  for (const line of lines) {
    let entry: { level?: unknown; msg?: unknown };
    try {
      entry = JSON.parse(line) as { level?: unknown; msg?: unknown };
    } catch {
      continue;
    }
    if (typeof entry.level !== "number" || entry.level < 40) continue;
    const key = `${prefix}${String(entry.msg)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}
