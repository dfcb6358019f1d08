import { splitSpan, type Bucket, type Buckets } from "./buckets";
import { OFFLINE, type RepTimeline } from "./rep-timeline";
import type { Span } from "./spans";
import { ratio } from "./statistics";

/** One rep's figures in one bucket (METRICS.md "Reps"). */
export interface RepFigures {
  repId: string;
  bucket: Bucket;
  /** By `<state>` or `<state>:<reason code>`. */
  stateMs: Record<string, number>;
  staffedMs: number;
  engagedMs: number;
  availableIdleMs: number;
  occupancy: number | null;
  loadMs: number;
}

/** Each rep's figures per bucket, every duration split at bucket boundaries. */
export function repFigures(timelines: Iterable<RepTimeline>, buckets: Buckets): RepFigures[] {
  const figures = new Map<string, RepFigures>();
  const figuresOf = (repId: string, bucket: Bucket) => {
    const key = `${repId}|${bucket.startMs}`;
    let f = figures.get(key);
    if (!f) {
      f = { repId, bucket, stateMs: {}, staffedMs: 0, engagedMs: 0, availableIdleMs: 0, occupancy: null, loadMs: 0 };
      figures.set(key, f);
    }
    return f;
  };
  const addSpans = (repId: string, spans: readonly Span[], add: (f: RepFigures, ms: number) => void) => {
    for (const span of spans)
      for (const { bucket, ms } of splitSpan(buckets, span.startMs, span.endMs)) add(figuresOf(repId, bucket), ms);
  };

  for (const timeline of timelines) {
    for (const state of timeline.states) {
      const key = state.reasonCode ? `${state.state}:${state.reasonCode}` : state.state;
      addSpans(timeline.repId, [state], (f, ms) => {
        f.stateMs[key] = (f.stateMs[key] ?? 0) + ms;
        if (state.state !== OFFLINE) f.staffedMs += ms;
      });
    }
    addSpans(timeline.repId, timeline.engaged, (f, ms) => (f.engagedMs += ms));
    addSpans(timeline.repId, timeline.availableIdle, (f, ms) => (f.availableIdleMs += ms));
    addSpans(timeline.repId, timeline.parts, (f, ms) => (f.loadMs += ms));
  }
  return [...figures.values()]
    .map((f) => ({ ...f, occupancy: ratio(f.engagedMs, f.engagedMs + f.availableIdleMs) }))
    .sort((a, b) => a.bucket.startMs - b.bucket.startMs || a.repId.localeCompare(b.repId));
}
