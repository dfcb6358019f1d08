// The messages the loader (on the host page) and the frame (on intake's origin) exchange by
// postMessage. Each side posts with the other's exact origin as target and accepts a message only from
// the other's window and origin; `parseMessage` then refuses anything that is not one of these shapes,
// so a script of another origin or a foreign widget's message is ignored, never interpreted.

/** Tells our messages from other libraries' on the same windows; a change of shape bumps it. */
export const PROTOCOL = "handoff-widget/1";

/** Bounds on what crosses: an identity JWT is at most 4 kB (intake's limit), an invitation token short. */
const MAX_IDENTITY_TOKEN = 4_096;
const INVITATION_TOKEN = /^[A-Za-z0-9_-]{16,128}$/;
const MAX_REQUEST_ID = 32;
const SESSION_ID = /^[A-Za-z0-9._-]{1,64}$/;
const CUSTOMER_TOKEN = /^[A-Za-z0-9._~+/=-]{16,256}$/;
const RESUME_TOKEN = /^[A-Za-z0-9_-]{20,128}$/;
/** A notification's title and text (keep my place's callback), as the frame words them. */
const MAX_NOTIFICATION_TEXT = 300;

/**
 * A started session's credential, kept by the loader in the host page's session storage: a browser
 * that blocks storage in third-party frames would otherwise lose the customer's place on a reload.
 */
export interface RememberedSession {
  sessionId: string;
  customerToken: string;
}

/** Keep my place's resume link (`?handoff-resume=<session>.<one-time token>` on the host page). */
export interface ResumeLink {
  sessionId: string;
  resumeToken: string;
}

/** Host page → frame. */
export type HostMessage =
  /**
   * Answers the frame's `ready`: an invitation token or a resume link from the host page's URL, a
   * remembered session.
   */
  | {
      protocol: typeof PROTOCOL;
      type: "init";
      invitationToken: string | null;
      session: RememberedSession | null;
      resume: ResumeLink | null;
    }
  /** Answers `identity-request`: the host site's signed JWT, or null when it has none. */
  | { protocol: typeof PROTOCOL; type: "identity"; requestId: string; token: string | null };

/** Frame → host page. */
export type FrameMessage =
  | { protocol: typeof PROTOCOL; type: "ready" }
  | { protocol: typeof PROTOCOL; type: "identity-request"; requestId: string }
  /** The customer minimised the widget (button or Escape): the loader hides the frame. */
  | { protocol: typeof PROTOCOL; type: "minimize" }
  /** Something happened the customer should see while the widget is minimised (a chat, a prompt). */
  | { protocol: typeof PROTOCOL; type: "attention" }
  /** Keep this session's credential for a reload (null: forget it, the session is over). */
  | { protocol: typeof PROTOCOL; type: "remember"; session: RememberedSession | null }
  /** The customer keeps his place: the host page asks to show notifications (its click allows it). */
  | { protocol: typeof PROTOCOL; type: "keep-place" }
  /** His turn is near: the host page shows this notification (when allowed) and flags the launcher. */
  | { protocol: typeof PROTOCOL; type: "notify"; title: string; body: string };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;
const isRequestId = (value: unknown): value is string =>
  typeof value === "string" && value.length > 0 && value.length <= MAX_REQUEST_ID;

/** `value` as a remembered session, or null when it is not one. */
export function rememberedSession(value: unknown): RememberedSession | null {
  if (!isRecord(value)) return null;
  const { sessionId, customerToken } = value;
  return typeof sessionId === "string" &&
    SESSION_ID.test(sessionId) &&
    typeof customerToken === "string" &&
    CUSTOMER_TOKEN.test(customerToken)
    ? { sessionId, customerToken }
    : null;
}

/** `<session>.<token>` of a resume link, or null when it is not one. */
export function resumeLink(value: unknown): ResumeLink | null {
  if (typeof value !== "string") return null;
  const dot = value.lastIndexOf(".");
  const sessionId = value.slice(0, dot);
  const resumeToken = value.slice(dot + 1);
  return dot > 0 && SESSION_ID.test(sessionId) && RESUME_TOKEN.test(resumeToken) ? { sessionId, resumeToken } : null;
}

const isResume = (value: unknown): value is ResumeLink =>
  isRecord(value) && resumeLink(`${String(value.sessionId)}.${String(value.resumeToken)}`) !== null;

const isNotificationText = (value: unknown): value is string =>
  typeof value === "string" && value.length > 0 && value.length <= MAX_NOTIFICATION_TEXT;

/** A valid invitation token, or null. */
export const invitationToken = (value: unknown): string | null =>
  typeof value === "string" && INVITATION_TOKEN.test(value) ? value : null;

/** `data` as a host message, or null when it is not one. */
export function parseHostMessage(data: unknown): HostMessage | null {
  if (!isRecord(data) || data.protocol !== PROTOCOL) return null;
  if (data.type === "init") {
    if (data.invitationToken !== null && invitationToken(data.invitationToken) === null) return null;
    if (data.session !== null && rememberedSession(data.session) === null) return null;
    // A loader of before resume links sends none.
    const resume = data.resume ?? null;
    if (resume !== null && !isResume(resume)) return null;
    return {
      protocol: PROTOCOL,
      type: "init",
      invitationToken: invitationToken(data.invitationToken),
      session: rememberedSession(data.session),
      resume: resume && { sessionId: resume.sessionId, resumeToken: resume.resumeToken },
    };
  }
  if (data.type === "identity" && isRequestId(data.requestId)) {
    const token = data.token;
    if (token !== null && (typeof token !== "string" || token.length === 0 || token.length > MAX_IDENTITY_TOKEN)) {
      return null;
    }
    return { protocol: PROTOCOL, type: "identity", requestId: data.requestId, token };
  }
  return null;
}

/** `data` as a frame message, or null when it is not one. */
export function parseFrameMessage(data: unknown): FrameMessage | null {
  if (!isRecord(data) || data.protocol !== PROTOCOL) return null;
  switch (data.type) {
    case "ready":
    case "minimize":
    case "attention":
    case "keep-place":
      return { protocol: PROTOCOL, type: data.type };
    case "notify":
      return isNotificationText(data.title) && isNotificationText(data.body)
        ? { protocol: PROTOCOL, type: "notify", title: data.title, body: data.body }
        : null;
    case "identity-request":
      return isRequestId(data.requestId) ? { protocol: PROTOCOL, type: data.type, requestId: data.requestId } : null;
    case "remember":
      if (data.session === null) return { protocol: PROTOCOL, type: "remember", session: null };
      return rememberedSession(data.session)
        ? { protocol: PROTOCOL, type: "remember", session: rememberedSession(data.session) }
        : null;
    default:
      return null;
  }
}

/** Bounds an identity token the host page hands over (attribute or callback): null when unusable. */
export const identityToken = (value: unknown): string | null =>
  typeof value === "string" && value.length > 0 && value.length <= MAX_IDENTITY_TOKEN ? value : null;
