import {
  parseHostMessage,
  PROTOCOL,
  type FrameMessage,
  type HostMessage,
  type RememberedSession,
  type ResumeLink,
} from "../protocol";

type Init = { invitationToken: string | null; session: RememberedSession | null; resume: ResumeLink | null };
const NOTHING: Init = { invitationToken: null, session: null, resume: null };

/** How long the frame waits for the host page's identity token before starting without one. */
const IDENTITY_TIMEOUT_MS = 6_000;

/**
 * The frame's side of the postMessage channel: posts only to the host page's origin (from the frame's
 * URL, set by the loader) and accepts messages only from the parent window at that origin.
 */
export class HostBridge {
  private readonly pending = new Map<string, (token: string | null) => void>();
  private nextRequest = 0;
  private readonly initialised: Promise<Extract<HostMessage, { type: "init" }>>;

  constructor(private readonly hostOrigin: string) {
    let resolveInit: (message: Extract<HostMessage, { type: "init" }>) => void = () => undefined;
    this.initialised = new Promise((resolve) => (resolveInit = resolve));
    window.addEventListener("message", (event) => {
      if (event.source !== window.parent || event.origin !== this.hostOrigin) return;
      const message = parseHostMessage(event.data);
      if (message?.type === "init") resolveInit(message);
      if (message?.type === "identity") {
        this.pending.get(message.requestId)?.(message.token);
        this.pending.delete(message.requestId);
      }
    });
  }

  private post(message: FrameMessage): void {
    if (window.parent !== window) window.parent.postMessage(message, this.hostOrigin);
  }

  /** Says the frame is ready; resolves with the host's answer (invitation, resume link, remembered session). */
  ready(): Promise<Init> {
    if (window.parent === window) return Promise.resolve(NOTHING);
    this.post({ protocol: PROTOCOL, type: "ready" });
    // A host page without our loader never answers: the portal works all the same, without invitation.
    const unanswered = new Promise<Init>((resolve) => setTimeout(() => resolve(NOTHING), IDENTITY_TIMEOUT_MS));
    return Promise.race([this.initialised, unanswered]);
  }

  /** The customer keeps his place: the host page may ask for notification permission now. */
  keepPlace(): void {
    this.post({ protocol: PROTOCOL, type: "keep-place" });
  }

  /** Keep my place's callback: a notification on the host page (and the launcher flagged). */
  notify(title: string, body: string): void {
    this.post({ protocol: PROTOCOL, type: "notify", title, body });
  }

  /** The host site's identity JWT for a start, or null (none, or no answer in time). */
  identityToken(): Promise<string | null> {
    if (window.parent === window) return Promise.resolve(null);
    const requestId = String(++this.nextRequest);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        resolve(null);
      }, IDENTITY_TIMEOUT_MS);
      this.pending.set(requestId, (token) => {
        clearTimeout(timer);
        resolve(token);
      });
      this.post({ protocol: PROTOCOL, type: "identity-request", requestId });
    });
  }

  minimize(): void {
    this.post({ protocol: PROTOCOL, type: "minimize" });
  }

  attention(): void {
    this.post({ protocol: PROTOCOL, type: "attention" });
  }

  /** Asks the host page to keep a started session's credential for a reload (null: forget it). */
  remember(session: RememberedSession | null): void {
    this.post({ protocol: PROTOCOL, type: "remember", session });
  }
}
