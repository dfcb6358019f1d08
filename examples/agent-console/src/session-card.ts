import type { AgentClient, SessionEvent, SessionView } from "@handoff/agent-sdk";
import { attempt, type Announcer } from "./announcer.js";
import { field, h, onSubmit, select, text } from "./dom.js";
import { logLine, permissionChange, permissionKey, permissionName } from "./format.js";
import { clientModeOf, customerOf } from "./session-details.js";

const PERMISSIONS: [string, string][] = [
  ["view", "View the screen"],
  ["control", "Control the screen"],
  ["file_transfer", "Transfer files"],
  ["elevation", "Elevated rights"],
];

/**
 * One session the rep works: the customer, the permissions he holds, the conversation log (chat,
 * notes, permission answers, who joined and left) and the commands (chat, ask a permission, note,
 * transfer, end). The log is filled from the session's events on the socket only, so what the rep
 * sends shows once, when the broker has recorded it.
 */
export class SessionCard {
  readonly element: HTMLElement;
  readonly who: string;
  private readonly log = h("ol");
  private readonly permissions = h("p", { class: "permissions" });
  /** Permission name → what was last said of it ("asked for", "granted"...). */
  private readonly permissionState = new Map<string, string>();

  constructor(
    readonly session: SessionView,
    private readonly client: AgentClient,
    private readonly announcer: Announcer,
    /** The rep no longer works it (transferred or ended from this card). */
    private readonly done: (sessionId: string, why: string) => void,
  ) {
    this.who = customerOf(session);
    const titleId = `session-${session.sessionId}-title`;
    for (const grant of session.granted) this.permissionState.set(grant.permission, "granted");
    this.showPermissions();
    this.element = h(
      "article",
      { class: "session", "data-session-id": session.sessionId, "aria-labelledby": titleId },
      h("h3", { id: titleId }, this.who),
      h("p", { class: "about" }, session.customer.description || "No description."),
      h("p", { class: "mode" }, clientModeOf(session)),
      this.permissions,
      // The log role makes screen readers read new lines; the list inside keeps them a list. It
      // scrolls, so it takes the focus for keyboard scrolling.
      h("div", { class: "log", role: "log", tabindex: 0, "aria-label": `Conversation with ${this.who}` }, this.log),
      this.chatForm(),
      h(
        "div",
        { class: "tools" },
        this.permissionForm(),
        this.noteForm(),
        this.transferForm(),
        this.nudgeForm(),
        this.endForm(),
      ),
    );
  }

  /** Adds what an event of the session says to its log and to the permissions shown. */
  apply(event: SessionEvent): void {
    const line = logLine(event);
    if (line) {
      const who = line.who ? h("span", { class: "who" }, line.kind === "note" ? `${line.who} (note)` : line.who) : "";
      this.log.append(h("li", { class: line.kind }, who, line.who ? ": " : "", line.text));
      this.log.lastElementChild?.scrollIntoView({ block: "nearest" });
    }
    const asked = event.fileSendRequested;
    if (asked) this.log.append(h("li", { class: "file-send" }, this.fileSendAnswer(asked.requestId, asked.fileName)));
    if (event.fileSendAnswered)
      this.log.querySelector(`[data-request="${CSS.escape(event.fileSendAnswered.requestId)}"]`)?.remove();
    const change = event.permissionChanged;
    if (change) {
      this.permissionState.set(permissionKey(change.permission), permissionChange(change.change));
      this.showPermissions();
    }
  }

  /** Allow / Deny for the customer's file; the answer's event removes them (for every rep in the session). */
  private fileSendAnswer(requestId: string, fileName: string): HTMLElement {
    const answer = (allowed: boolean) => () =>
      void attempt(this.announcer, "Answering failed", async () => {
        await this.client.answerFileSend(this.session.sessionId, requestId, allowed);
      });
    const allow = h("button", { type: "button" }, "Allow");
    const deny = h("button", { type: "button" }, "Deny");
    allow.addEventListener("click", answer(true));
    deny.addEventListener("click", answer(false));
    return h(
      "span",
      { class: "actions", "data-request": requestId, role: "group", "aria-label": `File ${fileName}` },
      allow,
      deny,
    );
  }

  /** Disables every command: the session is over for this rep. */
  close(): void {
    for (const fieldset of this.element.querySelectorAll("fieldset")) fieldset.disabled = true;
  }

  private showPermissions(): void {
    const parts = [...this.permissionState].map(([name, state]) => `${permissionName(name)}: ${state}`);
    this.permissions.textContent = parts.length ? `Permissions: ${parts.join(", ")}.` : "No permission asked yet.";
  }

  private form(legend: string, ...controls: HTMLElement[]): HTMLFormElement {
    return h("form", {}, h("fieldset", {}, h("legend", {}, legend), ...controls));
  }

  private chatForm(): HTMLFormElement {
    const message = h("input", { name: "message", required: true, maxlength: 4000, autocomplete: "off" });
    const form = this.form(`Chat with ${this.who}`, field("Message", message), h("button", { type: "submit" }, "Send"));
    onSubmit(form, (fields) =>
      attempt(this.announcer, "Sending failed", async () => {
        await this.client.sendChat(this.session.sessionId, text(fields, "message"));
        message.value = "";
        message.focus();
      }),
    );
    return form;
  }

  private permissionForm(): HTMLFormElement {
    const application = h("input", { name: "application", maxlength: 200, autocomplete: "off" });
    const form = this.form(
      "Ask the customer for a permission",
      field("Permission", select("permission", PERMISSIONS, "view")),
      field("Only this application (optional)", application),
      h("button", { type: "submit" }, "Ask"),
    );
    onSubmit(form, (fields) =>
      attempt(this.announcer, "Asking failed", async () => {
        const permission = text(fields, "permission") as "view" | "control" | "file_transfer" | "elevation";
        await this.client.requestPermission(
          this.session.sessionId,
          permission,
          text(fields, "application") || undefined,
        );
        this.announcer.say(`Asked ${this.who} for ${permissionName(permission)}.`);
      }),
    );
    return form;
  }

  private noteForm(): HTMLFormElement {
    const note = h("textarea", { name: "note", rows: 2, required: true, maxlength: 4000 });
    const form = this.form("Note (reps only)", field("Note", note), h("button", { type: "submit" }, "Add note"));
    onSubmit(form, (fields) =>
      attempt(this.announcer, "Adding the note failed", async () => {
        await this.client.addNote(this.session.sessionId, text(fields, "note"));
        note.value = "";
      }),
    );
    return form;
  }

  private transferForm(): HTMLFormElement {
    const target = h("input", { name: "target", required: true, maxlength: 128, autocomplete: "off" });
    const form = this.form(
      "Transfer",
      field(
        "To",
        select(
          "kind",
          [
            ["team", "a team"],
            ["rep", "a rep"],
          ],
          "team",
        ),
      ),
      field("Team or rep id", target),
      h("button", { type: "submit" }, "Transfer"),
    );
    onSubmit(form, (fields) =>
      attempt(this.announcer, "Transfer failed", async () => {
        const id = text(fields, "target");
        await this.client.transfer(
          this.session.sessionId,
          text(fields, "kind") === "rep" ? { repId: id } : { teamId: id },
        );
        this.done(this.session.sessionId, `was transferred to ${id}`);
      }),
    );
    return form;
  }

  private nudgeForm(): HTMLFormElement {
    const form = this.form("Get the customer's attention", h("button", { type: "submit" }, "Nudge"));
    onSubmit(form, () => attempt(this.announcer, "Nudging failed", () => this.client.nudge(this.session.sessionId)));
    return form;
  }

  private endForm(): HTMLFormElement {
    const resolution = h("input", { name: "resolution", maxlength: 100, autocomplete: "off" });
    const form = this.form(
      "End",
      field("Resolution for the rep survey (optional)", resolution),
      h("button", { type: "submit", class: "end" }, "End session"),
    );
    onSubmit(form, (fields) =>
      attempt(this.announcer, "Ending failed", async () => {
        await this.client.end(this.session.sessionId, "resolved");
        const code = text(fields, "resolution");
        // The rep's survey may follow the end: he answers it once he knows how it went.
        if (code) await this.client.submitRepSurvey(this.session.sessionId, code);
        this.done(this.session.sessionId, "ended");
      }),
    );
    return form;
  }
}
