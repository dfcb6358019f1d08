import { button, field, h, heading, onSubmit, text } from "../dom";
import { fallbackLink } from "./start-view";
import type { MessageKey } from "../i18n/i18n";
import type { Translator } from "../i18n/i18n";
import type { Grant, Notice, Permission, QueuePosition } from "../portal-client";

/** What the customer can do from the live view; the app maps each to a portal call. */
export interface SessionActions {
  send(text: string): Promise<void>;
  answer(requestId: string, granted: boolean): Promise<void>;
  revoke(grant: Grant | "all"): Promise<void>;
  /** Asks the rep to accept this file (only its name and size go to the portal). */
  sendFile(file: File): Promise<void>;
  /** Leaves the queue (waiting) or ends the session (active); `fromNotice` when left from a notice. */
  end(fromNotice?: boolean): Promise<void>;
  /** Keep my place (true) or back (false). */
  keepPlace(away: boolean): Promise<void>;
}

/** Chat text sizes the customer steps through (widget.css has one rule per step). */
const FONT_STEPS = 5;
const MAX_CHAT = 4_000;
/** The log keeps this many entries; older ones go (a long session must not grow the page without end). */
const MAX_LOG_ENTRIES = 500;

/**
 * The waiting and in-session view: position and estimate while queued, greeting, hold messages and
 * notices, then the chat with the rep (a role=log the screen reader follows), his permission requests
 * with allow/deny, what is shared with "stop sharing", and leave/end.
 */
export class SessionView {
  readonly element: HTMLElement;
  private readonly title = heading("");
  private readonly status = h("div", { class: "queue-status", role: "status" });
  private readonly closing = h("p", { class: "closing" });
  private readonly notices = h("ul", { class: "notices" });
  // Focusable: it scrolls, and keyboard users must be able to scroll it.
  private readonly log = h("div", { class: "chat-log", role: "log", tabindex: 0, "data-font-step": 2 });
  private readonly prompts = h("div", { class: "prompts" });
  private readonly sharing = h("section", { class: "sharing", hidden: true });
  private readonly composer: HTMLFormElement;
  private readonly endButton: HTMLButtonElement;
  private readonly fileInput = h("input", { type: "file", class: "file-input", hidden: true, tabindex: -1 });
  private readonly fileButton: HTMLButtonElement;
  /** The customer's file-send requests by id (their answers do not repeat the name); one open at a time. */
  private readonly filesAsked = new Map<string, string>();
  private readonly connection = h("p", { class: "connection", role: "status" });
  /** Keep my place: offered while waiting when the site allows it; while away, the way back. */
  private readonly keep = h("section", { class: "keep-place", hidden: true });
  private keepOffered = false;
  private isAway = false;
  private readonly names = new Map<string, string>();
  /** The rep serving the customer: permission requests and nudges come from him. */
  private primaryRep: string | undefined;
  /** Reps said to have joined (an acceptance and his joining are two events: one line). */
  private readonly present = new Set<string>();
  private phase: "waiting" | "active" = "waiting";
  private fontStep = 2;

  constructor(
    private readonly i18n: Translator,
    private readonly actions: SessionActions,
    reps: { repId: string; displayName: string }[],
  ) {
    const { t } = i18n;
    for (const rep of reps) this.names.set(rep.repId, rep.displayName);
    this.log.setAttribute("aria-label", t("chatLog"));
    const message = h("textarea", { name: "text", rows: 2, maxlength: MAX_CHAT, required: true });
    message.addEventListener("keydown", (event) => {
      // Enter sends, Shift+Enter breaks the line, as in every chat.
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        this.composer.requestSubmit();
      }
    });
    this.composer = h(
      "form",
      { class: "composer", hidden: true },
      h("fieldset", {}, field(t("message"), message), h("button", { type: "submit" }, t("send"))),
    );
    onSubmit(this.composer, async (fields) => {
      const value = text(fields, "text");
      if (!value) return;
      await this.actions.send(value);
      message.value = "";
      message.focus();
    });
    // The visible "A−"/"A+" leads the accessible name, so voice control users can say what they see.
    const smaller = button("A−", () => this.setFont(this.fontStep - 1), { "aria-label": `A− ${t("textSmaller")}` });
    const larger = button("A+", () => this.setFont(this.fontStep + 1), { "aria-label": `A+ ${t("textLarger")}` });
    this.endButton = button(t("leaveQueue"), () => void this.actions.end(), { class: "secondary end" });
    this.fileButton = button(t("sendFile"), () => this.fileInput.click(), {
      class: "secondary send-file",
      hidden: true,
    });
    this.fileInput.addEventListener("change", () => {
      const file = this.fileInput.files?.[0];
      this.fileInput.value = "";
      if (file) void this.actions.sendFile(file);
    });
    this.setTitle();
    this.element = h(
      "div",
      { class: "view session-view" },
      this.title,
      this.status,
      this.closing,
      this.connection,
      this.keep,
      this.notices,
      this.prompts,
      this.sharing,
      h("div", { class: "text-size", role: "group", "aria-label": t("textSize") }, smaller, larger),
      this.log,
      this.composer,
      h("div", { class: "actions" }, this.fileButton, this.fileInput, this.endButton),
    );
  }

  focus(): void {
    this.title.focus();
  }

  private setTitle(): void {
    this.title.textContent = this.phase === "waiting" ? this.i18n.t("waitingTitle") : this.i18n.t("chatTitle");
  }

  private setFont(step: number): void {
    this.fontStep = Math.max(0, Math.min(FONT_STEPS - 1, step));
    this.log.setAttribute("data-font-step", String(this.fontStep));
  }

  private name(repId: string | undefined): string {
    const id = repId ?? this.primaryRep;
    return (id && this.names.get(id)) || this.i18n.t("supportRep");
  }

  /** Adds a line to the chat log: a chat (with who said it) or a note from the portal. */
  private append(kind: "customer" | "rep" | "system", body: string, who?: string): void {
    this.log.append(
      h(
        "p",
        { class: `entry ${kind}` },
        who ? h("span", { class: "who" }, `${who}: `) : null,
        h("span", { class: "text" }, body),
      ),
    );
    while (this.log.childElementCount > MAX_LOG_ENTRIES) this.log.firstElementChild?.remove();
    this.log.scrollTop = this.log.scrollHeight;
  }

  waiting({ position, estimate }: QueuePosition): void {
    const { t } = this.i18n;
    this.setPhase("waiting");
    const where = position <= 1 ? t("positionNext") : t("position", { position });
    const wait = estimate.known
      ? t("estimate", { p50: this.i18n.duration(estimate.p50Ms), p90: this.i18n.duration(estimate.p90Ms) })
      : t("estimateUnknown");
    this.status.replaceChildren(h("p", { class: "position" }, where), h("p", { class: "estimate" }, wait));
  }

  /** Whether the site lets a waiting customer leave the page keeping his place. */
  offerKeepPlace(offered: boolean): void {
    this.keepOffered = offered;
    this.renderKeep();
  }

  /** He keeps his place away from the page, or is back. */
  away(away: boolean): void {
    this.isAway = away;
    this.renderKeep();
  }

  get awayNow(): boolean {
    return this.isAway;
  }

  /** His turn is near: said in the view (the app also asks the host page for a notification). */
  calledBack(returnBy: string): void {
    this.keep.querySelector(".called-back")?.remove();
    this.keep.append(
      h("p", { class: "called-back", role: "alert" }, this.i18n.t("calledBack", { time: this.i18n.time(returnBy) })),
    );
  }

  private renderKeep(): void {
    const { t } = this.i18n;
    const waiting = this.phase === "waiting";
    this.keep.hidden = !waiting || !(this.keepOffered || this.isAway);
    if (this.keep.hidden) return this.keep.replaceChildren();
    this.keep.replaceChildren(
      ...(this.isAway
        ? [
            h("p", { class: "away-status", role: "status" }, t("awayStatus")),
            button(t("imBack"), () => void this.actions.keepPlace(false), { class: "im-back" }),
          ]
        : [
            button(t("keepPlace"), () => void this.actions.keepPlace(true), { class: "secondary keep-my-place" }),
            h("p", { class: "hint" }, t("keepPlaceHint")),
          ]),
    );
  }

  /** No eligible rep is logged in (the site queues anyway): said at once, with the fallback link. */
  noRepAvailable(fallbackUrl: string | null): void {
    this.closing.after(
      h(
        "div",
        { class: "no-rep", role: "alert" },
        h("p", {}, this.i18n.t("noRep")),
        fallbackLink(this.i18n, fallbackUrl),
      ),
    );
  }

  closingWarning(closesAt: string | null): void {
    if (closesAt) this.closing.textContent = this.i18n.t("closingWarning", { time: this.i18n.time(closesAt) });
  }

  portalMessage(body: string): void {
    this.append("system", body);
  }

  notice(notice: Notice): void {
    this.notices.querySelector(`[data-notice="${CSS.escape(notice.id)}"]`)?.remove();
    this.notices.append(
      h(
        "li",
        { class: "notice", "data-notice": notice.id },
        // A supervisor's pushed notice is read out at once.
        h("p", { role: notice.pushed ? "alert" : undefined }, notice.text),
        // Every notice lets a waiting customer leave because of it (no exit survey then).
        this.phase === "waiting" ? button(this.i18n.t("leaveFromNotice"), () => void this.actions.end(true)) : null,
      ),
    );
  }

  offered(): void {
    this.status.replaceChildren(h("p", {}, this.i18n.t("offered")));
  }

  /** A rep took the session (again on every reconnect's status: said once per rep). */
  accepted(repId: string, displayName?: string): void {
    this.learnName(repId, displayName);
    if (this.phase === "active" && this.primaryRep === repId) return;
    this.primaryRep = repId;
    this.setPhase("active");
    this.status.replaceChildren();
    this.closing.textContent = "";
    this.participant(repId, true);
  }

  private setPhase(phase: "waiting" | "active"): void {
    if (phase === this.phase) return;
    this.phase = phase;
    this.setTitle();
    this.composer.hidden = phase === "waiting";
    this.fileButton.hidden = phase === "waiting";
    this.endButton.textContent = this.i18n.t(phase === "waiting" ? "leaveQueue" : "endSession");
    // Notices offer to leave the queue only while waiting.
    if (phase === "active") for (const leave of this.notices.querySelectorAll("button")) leave.remove();
    this.renderKeep();
  }

  chat(from: "customer" | "rep", body: string, repId?: string): void {
    this.append(from, body, from === "customer" ? this.i18n.t("you") : this.name(repId));
  }

  /**
   * The stream names reps in its frames: a closed portal lists none, and a rep off the list (a key, a
   * transfer) is known by no other way.
   */
  private learnName(repId: string, displayName: string | undefined): void {
    if (displayName && !this.names.has(repId)) this.names.set(repId, displayName);
  }

  participant(repId: string, joined: boolean, displayName?: string): void {
    this.learnName(repId, displayName);
    if (joined === this.present.has(repId)) return;
    if (joined) this.present.add(repId);
    else this.present.delete(repId);
    this.append("system", this.i18n.t(joined ? "joined" : "left", { name: this.name(repId) }));
  }

  nudge(repId: string): void {
    this.append("system", this.i18n.t("nudge", { name: this.name(repId) }));
  }

  /** The customer asked to send a file: said in the log; no second request until the rep answers. */
  fileRequested(requestId: string, fileName: string): void {
    this.filesAsked.set(requestId, fileName);
    this.fileButton.disabled = true;
    this.append("system", this.i18n.t("fileAsked", { file: fileName }));
  }

  fileAnswered(requestId: string, allowed: boolean): void {
    const file = this.filesAsked.get(requestId) ?? "";
    this.filesAsked.delete(requestId);
    this.fileButton.disabled = false;
    this.append("system", this.i18n.t(allowed ? "fileAllowed" : "fileDenied", { name: this.name(undefined), file }));
  }

  connected(connected: boolean): void {
    this.connection.textContent = connected ? "" : this.i18n.t("reconnecting");
  }

  private what(permission: Permission, application?: string): string {
    const what = this.i18n.t(`permission${permission}` as MessageKey);
    return application ? this.i18n.t("permissionApplication", { what, application }) : what;
  }

  /** A rep asks for a permission: a labelled group with Allow and Deny, focused so keyboards land on it. */
  permissionRequested(requestId: string, permission: Permission, application: string, repId?: string): void {
    const { t } = this.i18n;
    const question = t("permissionAsk", { name: this.name(repId), what: this.what(permission, application) });
    const prompt = h("div", { class: "prompt", role: "group", "aria-label": question, "data-request": requestId });
    const answer = (granted: boolean) => () => {
      for (const control of prompt.querySelectorAll("button")) control.disabled = true;
      void this.actions.answer(requestId, granted).then(() => {
        prompt.remove();
        this.title.focus();
      });
    };
    prompt.append(
      h("p", { role: "alert" }, question),
      button(t("permissionAllow"), answer(true)),
      button(t("permissionDeny"), answer(false), { class: "secondary" }),
    );
    this.prompts.append(prompt);
    prompt.querySelector("button")?.focus();
  }

  permissionChanged(
    change: "granted" | "denied" | "revoked",
    permission: Permission,
    application: string,
    requestId: string,
  ): void {
    if (change !== "revoked") this.prompts.querySelector(`[data-request="${CSS.escape(requestId)}"]`)?.remove();
    this.append("system", this.i18n.t(change, { what: this.what(permission, application) }));
  }

  /** What is shared now, each revocable, and "stop sharing" for all at once. */
  grants(granted: Grant[]): void {
    const { t } = this.i18n;
    this.sharing.hidden = granted.length === 0;
    this.sharing.replaceChildren(
      h("h3", {}, t("sharing")),
      h(
        "ul",
        {},
        ...granted.map((grant) =>
          h(
            "li",
            {},
            h("span", {}, this.what(grant.permission, grant.application)),
            button(t("revoke"), () => void this.actions.revoke(grant), {
              class: "secondary",
              "aria-label": `${t("revoke")}: ${this.what(grant.permission, grant.application)}`,
            }),
          ),
        ),
      ),
      button(t("stopSharing"), () => void this.actions.revoke("all"), { class: "stop-sharing" }),
    );
  }
}
