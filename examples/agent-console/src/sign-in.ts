import type { TokenSource } from "@handoff/agent-sdk";
import { attempt, type Announcer } from "./announcer.js";
import { developmentToken } from "./dev-token.js";
import { field, h, onSubmit, text } from "./dom.js";
import { tokenClaims } from "./format.js";

export interface Credentials {
  /** What the SDK asks for a token on each (re)connection and after a 401. */
  token: TokenSource;
  siteId: string;
  repId: string;
}

/**
 * The sign-in view: a development token for a site and rep (only `npm start`'s broker signs one), or a
 * token pasted from the integrator's identity provider. Calls `signedIn` once a token is at hand.
 */
export function signInView(announcer: Announcer, signedIn: (credentials: Credentials) => Promise<void>): HTMLElement {
  const site = h("input", { name: "site", value: "demo", required: true, maxlength: 128, autocomplete: "off" });
  const rep = h("input", { name: "rep", value: "alice", required: true, maxlength: 128, autocomplete: "username" });
  const development = h(
    "form",
    { "aria-labelledby": "dev-sign-in" },
    h(
      "fieldset",
      {},
      h("legend", { id: "dev-sign-in" }, "Development sign-in (npm start)"),
      field("Site", site),
      field("Rep", rep),
      h("button", { type: "submit" }, "Sign in with a development token"),
    ),
  );
  onSubmit(development, (fields) =>
    attempt(announcer, "Sign-in failed", async () => {
      const [siteId, repId] = [text(fields, "site"), text(fields, "rep")];
      // Asked here first so a refusal shows on this form; later the SDK asks the callback again for
      // a fresh token on reconnects and after a 401.
      let first: string | undefined = await developmentToken(siteId, repId);
      const token = async () => {
        const next = first ?? (await developmentToken(siteId, repId));
        first = undefined;
        return next;
      };
      await signedIn({ token, siteId, repId });
    }),
  );

  const pasted = h("textarea", { name: "token", rows: 3, required: true, maxlength: 8192, spellcheck: false });
  const withToken = h(
    "form",
    { "aria-labelledby": "token-sign-in" },
    h(
      "fieldset",
      {},
      h("legend", { id: "token-sign-in" }, "Sign in with a token from your identity provider"),
      field("Agent token (JWT)", pasted),
      h("button", { type: "submit" }, "Sign in with this token"),
    ),
  );
  onSubmit(withToken, (fields) =>
    attempt(announcer, "Sign-in failed", async () => {
      const token = text(fields, "token");
      const claims = tokenClaims(token);
      await signedIn({ token, siteId: claims.site ?? "?", repId: claims.rep ?? "?" });
    }),
  );

  return h(
    "section",
    { class: "sign-in", "aria-labelledby": "sign-in-title" },
    h("h2", { id: "sign-in-title" }, "Sign in"),
    development,
    withToken,
  );
}
