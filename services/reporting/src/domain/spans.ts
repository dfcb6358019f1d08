/** A span of real time [startMs, endMs). */
export interface Span {
  startMs: number;
  endMs: number;
}

/** The union of spans, as sorted, disjoint spans. */
export function union(spans: readonly Span[]): Span[] {
  const sorted = spans.filter((s) => s.endMs > s.startMs).sort((a, b) => a.startMs - b.startMs);
  const merged: Span[] = [];
  for (const span of sorted) {
    const last = merged.at(-1);
    if (last && span.startMs <= last.endMs) last.endMs = Math.max(last.endMs, span.endMs);
    else merged.push({ ...span });
  }
  return merged;
}

/** The parts of `spans` outside `removed`. */
export function subtract(spans: readonly Span[], removed: readonly Span[]): Span[] {
  const cuts = union(removed);
  const result: Span[] = [];
  for (const span of union(spans)) {
    let at = span.startMs;
    for (const cut of cuts) {
      if (cut.endMs <= at || cut.startMs >= span.endMs) continue;
      if (cut.startMs > at) result.push({ startMs: at, endMs: cut.startMs });
      at = Math.max(at, cut.endMs);
    }
    if (at < span.endMs) result.push({ startMs: at, endMs: span.endMs });
  }
  return result;
}
