import { el } from "./dom";
import { clock, percent, serviceLevelBand, spokenDuration } from "./format";
import type { QueueNow, Snapshot, TeamDay } from "./snapshot";

interface Figure {
  label: string;
  text: string;
  /** What a screen reader says instead of the wall's short form. */
  spoken?: string;
  level?: "good" | "warn" | "bad";
}

/** The figures of one team's tile; the longest wait grows by the time since the frame was read. */
function teamFigures(queue: QueueNow, day: TeamDay | undefined, sinceFrameMs: number): Record<string, Figure> {
  const longest = queue.longestWaitMs === null ? null : queue.longestWaitMs + sinceFrameMs;
  const reps = queue.reps ?? { available: 0, busy: 0, away: 0, onSession: 0 };
  const serviceLevel = day?.serviceLevel ?? null;
  return {
    waiting: { label: "Waiting", text: String(queue.waiting) },
    "longest-wait": { label: "Longest wait", text: clock(longest), spoken: spokenDuration(longest) },
    "estimated-wait": {
      label: "Estimated wait",
      text: clock(queue.ewtP50Ms),
      spoken: spokenDuration(queue.ewtP50Ms),
    },
    available: { label: "Reps available", text: String(reps.available) },
    busy: { label: "Reps busy", text: String(reps.busy) },
    away: { label: "Reps away", text: String(reps.away) },
    "service-level": {
      label: "Service level today",
      text: percent(serviceLevel),
      spoken: serviceLevel === null ? "none yet" : percent(serviceLevel),
      level: serviceLevelBand(serviceLevel),
    },
    answered: { label: "Answered today", text: String(day?.answered ?? 0) },
    abandoned: { label: "Abandoned today", text: String(day?.abandoned ?? 0) },
  };
}

/**
 * One tile per team queue (waiting, longest and estimated wait, reps by state, the day's service
 * level), updated in place so a screen reader's position and the layout survive each frame. Each
 * figure is a `<dt>`/`<dd>` pair: its label is read with it.
 */
export class QueueTiles {
  readonly element = el("section", { class: "tiles", "aria-label": "Team queues" });
  private readonly tiles = new Map<string, { tile: HTMLElement; values: Map<string, HTMLElement> }>();
  private readonly empty = el("p", { class: "empty" }, "No team has a rep logged in or a customer waiting yet.");

  render(snapshot: Snapshot, sinceFrameMs: number): void {
    const teams = snapshot.queues.filter((q) => q.queue.kind === "team");
    const days = new Map(snapshot.day.teams.map((t) => [t.teamId, t]));
    const seen = new Set<string>();
    for (const queue of teams) {
      seen.add(queue.queue.id);
      const figures = teamFigures(queue, days.get(queue.queue.id), sinceFrameMs);
      const tile = this.tiles.get(queue.queue.id) ?? this.add(queue.queue.id, figures);
      for (const [key, figure] of Object.entries(figures)) {
        const value = tile.values.get(key)!;
        if (value.textContent !== figure.text) value.textContent = figure.text;
        if (figure.spoken && figure.spoken !== figure.text) value.setAttribute("aria-label", figure.spoken);
        else value.removeAttribute("aria-label");
        if (figure.level) value.dataset.level = figure.level;
        else delete value.dataset.level;
      }
    }
    for (const [teamId, { tile }] of this.tiles)
      if (!seen.has(teamId)) {
        tile.remove();
        this.tiles.delete(teamId);
      }
    if (this.tiles.size === 0) this.element.replaceChildren(this.empty);
    else this.empty.remove();
  }

  private add(teamId: string, figures: Record<string, Figure>) {
    const titleId = `tile-${teamId}`;
    const values = new Map<string, HTMLElement>();
    const list = el("dl", {});
    for (const [key, figure] of Object.entries(figures)) {
      const value = el("dd", { "data-figure": key });
      values.set(key, value);
      list.append(el("div", {}, el("dt", {}, figure.label), value));
    }
    const tile = el(
      "article",
      { class: "tile", "aria-labelledby": titleId, "data-team": teamId },
      el("h2", { id: titleId }, `Team ${teamId}`),
      list,
    );
    const after = [...this.tiles.keys()].find((id) => id.localeCompare(teamId) > 0);
    this.element.insertBefore(tile, after ? this.tiles.get(after)!.tile : null);
    const entry = { tile, values };
    this.tiles.set(teamId, entry);
    return entry;
  }
}
