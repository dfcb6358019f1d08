import type { AgentClient, RepView } from "@handoff/agent-sdk";
import { attempt, type Announcer } from "./announcer.js";
import { field, h, onSubmit, select, text } from "./dom.js";
import { teamList } from "./format.js";

const STATES: [string, string][] = [
  ["available", "Available"],
  ["away", "Away"],
  ["busy", "Busy"],
];

/** The rep's presence: the teams he works for, his state (with a reason when away) and his session mode. */
export class PresencePanel {
  readonly element: HTMLElement;
  private readonly summary = h("p", { class: "summary" }, "Not logged in to any team.");
  private readonly teams = h("input", { name: "teams", value: "support", maxlength: 500, autocomplete: "off" });
  private readonly state = select("state", STATES, "available");
  private readonly reason = h("input", {
    name: "reason",
    maxlength: 40,
    // The v-flag syntax browsers use for pattern wants the hyphen escaped.
    pattern: "[a-z0-9\\-]{1,40}",
    placeholder: "lunch",
    title: "1 to 40 of a-z, 0-9 and -",
  });
  private readonly sessions = h("input", { name: "sessions", type: "number", min: 2, max: 100, value: 3 });

  constructor(
    private readonly client: AgentClient,
    private readonly announcer: Announcer,
  ) {
    this.element = h(
      "section",
      { class: "panel presence", "aria-labelledby": "presence-title" },
      h("h2", { id: "presence-title" }, "My presence"),
      this.summary,
      this.teamsForm(),
      this.stateForm(),
      this.modeForm(),
    );
  }

  /** Reads the rep's presence again (after a change by another desktop, a supervisor or a missed offer). */
  refresh(): Promise<void> {
    return attempt(this.announcer, "Reading your presence failed", async () => this.show(await this.client.me()));
  }

  private show(rep: RepView | null): void {
    if (!rep || rep.teamIds.length === 0) {
      this.summary.textContent = "Not logged in to any team.";
      return;
    }
    const reason = typeof rep.reason === "string" && rep.reason ? ` (${rep.reason})` : "";
    const load = typeof rep.load === "number" ? `, ${rep.load} of ${rep.capacity} sessions in use` : "";
    this.summary.textContent = `${rep.state}${reason} in ${rep.teamIds.join(", ")}${load}.`;
    this.teams.value = rep.teamIds.join(", ");
  }

  private teamsForm(): HTMLFormElement {
    const logout = h("button", { type: "button" }, "Log out of all teams");
    logout.addEventListener(
      "click",
      () =>
        void attempt(this.announcer, "Log-out failed", async () => {
          await this.client.logout();
          this.announcer.say("Logged out of all teams.");
          await this.refresh();
        }),
    );
    const form = h(
      "form",
      {},
      h(
        "fieldset",
        {},
        h("legend", {}, "Teams"),
        field("Team ids (comma-separated)", this.teams),
        h("button", { type: "submit" }, "Log in to teams"),
        logout,
      ),
    );
    onSubmit(form, (fields) =>
      attempt(this.announcer, "Log-in failed", async () => {
        const rep = await this.client.login(teamList(text(fields, "teams")));
        this.announcer.say(`Logged in to ${rep.teamIds.join(", ")}.`);
        this.show(rep);
      }),
    );
    return form;
  }

  private stateForm(): HTMLFormElement {
    const form = h(
      "form",
      {},
      h(
        "fieldset",
        {},
        h("legend", {}, "State"),
        field("State", this.state),
        field("Reason when away (optional)", this.reason),
        h("button", { type: "submit" }, "Set state"),
      ),
    );
    onSubmit(form, (fields) =>
      attempt(this.announcer, "Changing state failed", async () => {
        const state = text(fields, "state") as "available" | "away" | "busy";
        const reason = state === "away" ? text(fields, "reason") || undefined : undefined;
        const rep = await this.client.setState(state, reason);
        this.announcer.say(`You are ${rep.state}.`);
        this.show(rep);
      }),
    );
    return form;
  }

  private modeForm(): HTMLFormElement {
    const mode = (value: string, label: string, checked: boolean) => {
      const input = h("input", { type: "radio", name: "mode", value, id: `mode-${value}`, checked });
      return h("div", { class: "choice" }, input, h("label", { for: input.id }, label));
    };
    const form = h(
      "form",
      {},
      h(
        "fieldset",
        {},
        h("legend", {}, "Session mode"),
        mode("single", "One session at a time", true),
        mode("multi", "Several sessions at once", false),
        field("Sessions at once (several)", this.sessions),
        h("button", { type: "submit" }, "Set mode"),
      ),
    );
    onSubmit(form, (fields) =>
      attempt(this.announcer, "Changing the session mode failed", async () => {
        const multi = text(fields, "mode") === "multi";
        const rep = await this.client.setCapacity(
          multi ? "multi" : "single",
          multi ? Number(text(fields, "sessions")) : undefined,
        );
        this.announcer.say(`You take ${rep.capacity === 1 ? "one session" : `${rep.capacity} sessions`} at a time.`);
        this.show(rep);
      }),
    );
    return form;
  }
}
