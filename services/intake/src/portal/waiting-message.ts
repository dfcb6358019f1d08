import type { z } from "zod";
import type { queuePosition } from "./portal-schemas";

type Position = z.infer<typeof queuePosition>;

const minutes = (ms: number) => Math.max(1, Math.ceil(ms / 60_000));

/** The estimate in words: "3–5 minutes" (P50–P90), or that there is none yet. */
export function estimatedWaitText(estimate: Position["estimate"]): string {
  if (!estimate.known) return "not known yet";
  const [low, high] = [minutes(estimate.p50Ms), minutes(estimate.p90Ms)];
  return low === high ? `about ${low} minute${low === 1 ? "" : "s"}` : `${low}–${high} minutes`;
}

/** A greeting or hold template (message-template.ts checked its placeholders) filled in for one customer. */
export const waitingMessage = (template: string, position: Position): string =>
  template.replace(/\{\{\s*(position|estimatedWait)\s*\}\}/g, (_, name: string) =>
    name === "position" ? String(position.position) : estimatedWaitText(position.estimate),
  );
