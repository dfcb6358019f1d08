import type { AgentClient } from "@handoff/agent-sdk";
import { attempt, type Announcer } from "./announcer.js";
import { h } from "./dom.js";
import { clock, estimate } from "./format.js";

/** How often the queues are read again while the console is open. */
const REFRESH_MS = 5_000;

/**
 * The sessions waiting in the rep's queues (his teams' and his own): place, time waited (counting on
 * between reads) and the acd's estimated wait.
 */
export class QueuesPanel {
  readonly element: HTMLElement;
  private readonly body = h("tbody");
  private readonly note = h("p", { class: "empty" }, "Reading the queues…");
  private readonly waited: { cell: HTMLElement; waitingMs: number }[] = [];
  private readAtMs = 0;
  private timer?: ReturnType<typeof setInterval>;

  constructor(
    private readonly client: AgentClient,
    private readonly announcer: Announcer,
  ) {
    const refresh = h("button", { type: "button" }, "Refresh the queues");
    refresh.addEventListener("click", () => void this.refresh());
    const header = (label: string) => h("th", { scope: "col" }, label);
    this.element = h(
      "section",
      { class: "panel queues", "aria-labelledby": "queues-title" },
      h("h2", { id: "queues-title" }, "Queues"),
      this.note,
      h(
        "table",
        {},
        h("caption", {}, "Sessions waiting in my queues"),
        h("thead", {}, h("tr", {}, ...["Queue", "Customer", "Place", "Waiting", "Estimated wait"].map(header))),
        this.body,
      ),
      refresh,
    );
  }

  start(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Lets the waiting times count on between reads. */
  tick(nowMs: number): void {
    for (const { cell, waitingMs } of this.waited) cell.textContent = clock(waitingMs + nowMs - this.readAtMs);
  }

  refresh(): Promise<void> {
    return attempt(this.announcer, "Reading the queues failed", async () => {
      const queues = await this.client.listQueues();
      this.readAtMs = Date.now();
      this.waited.length = 0;
      const rows = queues.flatMap((queue) =>
        queue.waiting.map((session) => {
          const waitedCell = h("td", {}, clock(session.waitingMs));
          this.waited.push({ cell: waitedCell, waitingMs: session.waitingMs });
          const place = session.position ? `${session.position.position} of ${session.position.queueLength}` : "?";
          return h(
            "tr",
            { "data-session-id": session.sessionId },
            h("td", {}, `${queue.target.kind === "team" ? "team" : "personal"} ${queue.target.id}`),
            h("td", {}, session.customerName || "A customer"),
            h("td", {}, place),
            waitedCell,
            h("td", {}, estimate(session.position)),
          );
        }),
      );
      this.body.replaceChildren(...rows);
      const truncated = queues.some((q) => q.truncated) ? " More wait than shown." : "";
      this.note.textContent =
        rows.length === 0 ? "No session waits in your queues." : `${rows.length} waiting.${truncated}`;
    });
  }
}
