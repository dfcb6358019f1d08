/** `m:ss` (or `h:mm:ss`) for a wall: no units to read, "–" when there is no value. */
export function clock(ms: number | null): string {
  if (ms === null) return "–";
  const total = Math.max(0, Math.round(ms / 1000));
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  const mmss = `${h > 0 ? String(m).padStart(2, "0") : m}:${String(s).padStart(2, "0")}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
}

/** Spoken form of `clock`, for screen readers ("1 minute 20 seconds"). */
export function spokenDuration(ms: number | null): string {
  if (ms === null) return "none";
  const total = Math.max(0, Math.round(ms / 1000));
  const [m, s] = [Math.floor(total / 60), total % 60];
  const part = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  return m > 0 ? `${part(m, "minute")} ${part(s, "second")}` : part(s, "second");
}

export const percent = (ratio: number | null): string => (ratio === null ? "–" : `${Math.round(ratio * 100)}%`);

/** Service level against a goal of 80 % (the common 80/20 target): colours only, the number says it. */
export function serviceLevelBand(ratio: number | null): "good" | "warn" | "bad" | undefined {
  if (ratio === null) return undefined;
  // Banded as shown: "80%" is good even when the ratio is 0.796.
  const shown = Math.round(ratio * 100);
  return shown >= 80 ? "good" : shown >= 60 ? "warn" : "bad";
}
