import type { RememberedSession, ResumeLink } from "../protocol";
import type { HostBridge } from "./host-bridge";
import { identityClaims, type VerifiedField } from "./identity-claims";
import type { Translator } from "./i18n/i18n";
import {
  PortalError,
  type Grant,
  type PortalClient,
  type PortalView,
  type SessionClient,
  type StartedSession,
  type StreamEvent,
} from "./portal-client";
import { agreementView, type Consent } from "./views/agreement-view";
import { messageView } from "./views/message-view";
import { SessionView } from "./views/session-view";
import { startView, type StartChoice, type StartViewState } from "./views/start-view";
import { surveyView } from "./views/survey-view";

/** The widget's flow: portal → start method → agreement → waiting → chat → end → survey. */
export class WidgetApp {
  private view: PortalView | null = null;
  /** What the host site's identity token says of the customer (the form shows it locked). */
  private verified: Partial<Record<VerifiedField, string>> = {};
  private stopStream: (() => void) | null = null;

  constructor(
    private readonly root: HTMLElement,
    private readonly i18n: Translator,
    private readonly portal: PortalClient,
    private readonly host: HostBridge,
  ) {}

  private show(element: HTMLElement, focus = true): void {
    this.root.replaceChildren(element);
    if (focus) element.querySelector<HTMLElement>(".view-heading")?.focus();
  }

  async boot(): Promise<void> {
    this.show(messageView(this.i18n, this.i18n.t("loading")), false);
    const { invitationToken, session, resume } = await this.host.ready();
    if (resume && (await this.resumeFromLink(resume, session))) return;
    if (session && (await this.resume(session))) return;
    if (!(await this.loadPortal())) return;
    this.verified = identityClaims(await this.host.identityToken());
    if (invitationToken)
      this.agreement({ method: "invitation_link", invitationToken, customer: { locale: this.i18n.locale } });
    else this.startScreen({});
  }

  private async loadPortal(): Promise<boolean> {
    try {
      this.view = await this.portal.portal();
      return true;
    } catch {
      this.show(
        messageView(this.i18n, this.i18n.t("unreachable"), {
          action: { label: this.i18n.t("retry"), run: () => void this.boot() },
        }),
      );
      return false;
    }
  }

  private startScreen(state: StartViewState): void {
    if (this.view) {
      this.show(
        startView(this.i18n, this.view, { ...state, verified: this.verified }, (choice) => this.agreement(choice)),
      );
    }
  }

  private agreement(choice: StartChoice, error?: string): void {
    if (!this.view) return;
    const back = choice.method === "invitation_link" ? null : () => this.startScreen({});
    this.show(
      agreementView(
        this.i18n,
        this.view,
        { invitation: choice.method === "invitation_link", error },
        (consent) => this.start(choice, consent),
        back,
      ),
    );
  }

  private async start(choice: StartChoice, consent: Consent): Promise<void> {
    const { t } = this.i18n;
    const identityToken = await this.host.identityToken();
    let started: StartedSession;
    try {
      started = await this.portal.start({
        ...choice,
        consent: { agreementAccepted: true, ...consent },
        ...(identityToken ? { identityToken } : {}),
      });
    } catch (error) {
      return this.refused(choice, error);
    }
    if (started.noRepAvailable && started.state === "ended") {
      this.show(messageView(this.i18n, t("noRep"), { fallbackUrl: started.fallbackUrl ?? this.view?.fallbackUrl }));
      return;
    }
    const session = this.portal.session(started.sessionId, started.customerToken);
    // A reload of the host page keeps the customer's place.
    this.host.remember({ sessionId: started.sessionId, customerToken: started.customerToken });
    const live = this.follow(session);
    live.waiting(started.position);
    if (started.closing.waitEndsAfterClosing) live.closingWarning(started.closing.closesAt);
    if (started.noRepAvailable) live.noRepAvailable(started.fallbackUrl ?? this.view?.fallbackUrl ?? null);
  }

  /** A refused start, back where the customer can put it right. */
  private async refused(choice: StartChoice, error: unknown): Promise<void> {
    const { t } = this.i18n;
    const typed = {
      ...choice.customer,
      problemTypeId: choice.problemTypeId ?? "",
      sessionKey: choice.sessionKey ?? "",
    } as Record<string, string>;
    if (!(error instanceof PortalError)) return this.startScreen({ error: t("failed"), typed });
    if (error.status === 400) {
      // Intake names fields by their path in the body ("customer.name"); the form by the last part.
      const fieldErrors = Object.fromEntries(
        Object.entries(error.fields).map(([path, problem]) => [path.split(".").pop() ?? path, problem]),
      );
      return this.startScreen({ fieldErrors, typed });
    }
    switch (error.reason) {
      case "AGREEMENT_CHANGED":
        await this.loadPortal();
        return this.agreement(choice, t("agreementChanged"));
      case "PORTAL_CLOSED":
        await this.loadPortal();
        return this.startScreen({ typed });
      case "CREDENTIAL_REJECTED":
        if (choice.method === "invitation_link") {
          this.show(
            messageView(this.i18n, t("keyRejected"), {
              action: { label: t("startOver"), run: () => this.startScreen({}) },
            }),
          );
          return;
        }
        return this.startScreen({ fieldErrors: { sessionKey: t("keyRejected") }, typed });
      case "IDENTITY_REJECTED":
        return this.startScreen({ error: t("identityRejected"), typed });
      case "START_METHOD_DISABLED":
        return this.startScreen({ error: t("methodDisabled"), typed });
      case "RATE_LIMITED":
      case "REDEMPTION_LOCKED":
        return this.startScreen({ error: t("rateLimited"), typed });
      default:
        return this.startScreen({ error: t("failed"), typed });
    }
  }

  /**
   * Keep my place's resume link: its one-time token for a new customer token (kept for reloads), and the
   * session's stream again. A used or wrong link falls back to a session this browser remembers, else
   * says so before the start screen.
   */
  private async resumeFromLink(link: ResumeLink, remembered: RememberedSession | null): Promise<boolean> {
    let customerToken: string;
    try {
      ({ customerToken } = await this.portal.resume(link.sessionId, link.resumeToken));
    } catch {
      if (remembered && (await this.resume(remembered))) return true;
      if (!(await this.loadPortal())) return true;
      this.show(
        messageView(this.i18n, this.i18n.t("resumeRejected"), {
          action: { label: this.i18n.t("startOver"), run: () => this.startScreen({}) },
        }),
      );
      return true;
    }
    this.host.remember({ sessionId: link.sessionId, customerToken });
    await this.loadPortal();
    this.follow(this.portal.session(link.sessionId, customerToken));
    return true;
  }

  /** Picks up a session this browser started before a reload, unless it has ended since. */
  private async resume(stored: RememberedSession): Promise<boolean> {
    const session = this.portal.session(stored.sessionId, stored.customerToken);
    try {
      const status = await session.status();
      if (status.state === "ended") throw new Error("ended");
    } catch {
      this.host.remember(null);
      return false;
    }
    await this.loadPortal();
    this.follow(session);
    return true;
  }

  private follow(session: SessionClient): SessionView {
    let grants: Grant[] = [];
    const setGrants = (next: Grant[]) => {
      grants = next;
      live.grants(grants);
    };
    const live = new SessionView(
      this.i18n,
      {
        send: async (text) => {
          await session.chat(text).catch(() => live.portalMessage(this.i18n.t("failed")));
        },
        answer: async (requestId, granted) => {
          await session
            .answerPermission(requestId, granted)
            .then((answer) => setGrants(answer.granted))
            .catch(() => live.portalMessage(this.i18n.t("failed")));
        },
        revoke: async (grant) => {
          await session
            .revoke(grant === "all" ? "all" : grant.permission, grant === "all" ? "" : grant.application)
            .then((answer) => setGrants(answer.granted))
            .catch(() => live.portalMessage(this.i18n.t("failed")));
        },
        sendFile: async (file) => {
          await session
            .requestFileSend(file.name, file.size)
            .catch((error: unknown) =>
              live.portalMessage(
                this.i18n.t(
                  error instanceof PortalError && error.reason === "FILE_SEND_PENDING" ? "filePending" : "failed",
                ),
              ),
            );
        },
        end: async (fromNotice) => {
          await session.end(fromNotice).catch(() => live.portalMessage(this.i18n.t("failed")));
        },
        keepPlace: async (away) => {
          if (away) this.host.keepPlace();
          await session
            .setAway(away)
            .then((status) => live.away(status.keepPlace?.away ?? away))
            .catch(() => live.portalMessage(this.i18n.t("failed")));
        },
      },
      this.view?.reps ?? [],
    );
    live.offerKeepPlace(!!this.view?.keepPlace);
    // Away with the page still open: coming back to it (after it was hidden) is coming back.
    let hiddenWhileAway = false;
    document.onvisibilitychange = () => {
      if (document.hidden) hiddenWhileAway = live.awayNow;
      else if (hiddenWhileAway && live.awayNow) void session.setAway(false).then((s) => live.away(!!s.keepPlace?.away));
    };
    for (const notice of this.view?.notices ?? []) live.notice(notice);
    this.show(live.element);
    this.stopStream?.();
    this.stopStream = session.follow(
      (event) => this.onEvent(event, live, session, setGrants, () => grants),
      (connected) => live.connected(connected),
    );
    return live;
  }

  private onEvent(
    event: StreamEvent,
    live: SessionView,
    session: SessionClient,
    setGrants: (grants: Grant[]) => void,
    grants: () => Grant[],
  ): void {
    switch (event.type) {
      case "status": {
        // First on every (re)connect: brings a resumed or reconnected view to where the session is.
        const { state, repId, displayName, position, granted, keepPlace } = event.data;
        if (state === "waiting") live.waiting(position);
        live.away(!!keepPlace?.away);
        if (keepPlace?.returnBy) live.calledBack(keepPlace.returnBy);
        if (state === "offered") live.offered();
        if (state === "active" && repId) live.accepted(repId, displayName);
        return setGrants(granted);
      }
      case "position":
        return live.waiting(event.data);
      case "greeting":
      case "hold":
        return live.portalMessage(event.data.text);
      case "notice":
        return live.notice(event.data);
      case "waiting":
        return live.waiting(event.data.position);
      case "offered":
        return live.offered();
      case "accepted":
        live.accepted(event.data.repId, event.data.displayName);
        return this.host.attention();
      case "chat":
        live.chat(event.data.from, event.data.text, event.data.repId);
        if (event.data.from === "rep") this.host.attention();
        return;
      case "permission": {
        const { requestId, permission, application, change } = event.data;
        if (change === "requested") {
          live.permissionRequested(requestId, permission, application);
          return this.host.attention();
        }
        live.permissionChanged(change, permission, application, requestId);
        const others = grants().filter((grant) => grant.permission !== permission || grant.application !== application);
        if (change === "granted") setGrants([...others, { permission, application }]);
        if (change === "revoked") setGrants(others);
        return;
      }
      case "file":
        if (event.data.change === "requested") return live.fileRequested(event.data.requestId, event.data.fileName);
        return live.fileAnswered(event.data.requestId, event.data.change === "allowed");
      case "nudge":
        live.nudge(event.data.repId);
        return this.host.attention();
      case "participant":
        return live.participant(event.data.repId, event.data.joined, event.data.displayName);
      case "away":
        return live.away(event.data.away);
      case "callback": {
        const { t, time } = this.i18n;
        live.calledBack(event.data.returnBy);
        return this.host.notify(t("callbackTitle"), t("callbackBody", { time: time(event.data.returnBy) }));
      }
      case "end":
        document.onvisibilitychange = null;
        this.stopStream?.();
        this.stopStream = null;
        this.host.remember(null);
        return this.ended(session, event.data.survey);
    }
  }

  private ended(session: SessionClient, survey: boolean): void {
    const { t } = this.i18n;
    const thanks = () =>
      this.show(
        messageView(this.i18n, t("thanks"), { action: { label: t("startOver"), run: () => void this.again() } }),
      );
    if (!survey) {
      this.show(
        messageView(this.i18n, t("ended"), { action: { label: t("startOver"), run: () => void this.again() } }),
      );
      return;
    }
    this.show(
      surveyView(
        this.i18n,
        async (satisfaction, comment) => {
          await session.survey(satisfaction, comment).catch(() => undefined);
          thanks();
        },
        thanks,
      ),
    );
  }

  private async again(): Promise<void> {
    if (await this.loadPortal()) this.startScreen({});
  }
}
