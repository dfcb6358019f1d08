import { AgentApiError } from "@handoff/agent-sdk";
import { h } from "./dom.js";

/**
 * The page's two live regions: `say` for news a screen reader reads when idle (a new offer, a sent
 * message), `fail` for refusals it reads at once. Both keep the last line visible too.
 */
export class Announcer {
  readonly element: HTMLElement;
  private readonly status = h("p", { role: "status", class: "status" });
  private readonly alert = h("p", { role: "alert", class: "alert" });

  constructor() {
    this.element = h("div", { class: "announcer" }, this.status, this.alert);
  }

  say(message: string): void {
    this.alert.textContent = "";
    this.status.textContent = message;
  }

  /** Shows why a command failed: the problem body's detail, reason and field when the API refused it. */
  fail(what: string, error: unknown): void {
    this.alert.textContent = `${what}: ${describe(error)}`;
  }
}

function describe(error: unknown): string {
  if (error instanceof AgentApiError) {
    const { status, reason, field } = error.problem;
    return [error.message, reason, field && `field ${field}`, `HTTP ${status}`].filter(Boolean).join(" · ");
  }
  return error instanceof Error ? error.message : String(error);
}

/** Runs a command, reporting its failure instead of throwing (a button's click has nobody to throw to). */
export async function attempt(announcer: Announcer, what: string, command: () => Promise<void>): Promise<void> {
  try {
    await command();
  } catch (error) {
    announcer.fail(what, error);
  }
}
