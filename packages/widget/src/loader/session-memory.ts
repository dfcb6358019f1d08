import { rememberedSession, type RememberedSession } from "../protocol";

const key = (siteId: string) => `handoff-widget:${siteId}`;

/**
 * The customer's started session, kept in the host page's session storage (first-party: it survives
 * a reload where a third-party frame's storage may be blocked) until the session is over.
 */
export function recallSession(siteId: string): RememberedSession | null {
  try {
    return rememberedSession(JSON.parse(sessionStorage.getItem(key(siteId)) ?? "null"));
  } catch {
    return null;
  }
}

export function rememberSession(siteId: string, session: RememberedSession | null): void {
  try {
    if (session) sessionStorage.setItem(key(siteId), JSON.stringify(session));
    else sessionStorage.removeItem(key(siteId));
  } catch {
    // Storage blocked on the host page too: a reload then starts over.
  }
}
