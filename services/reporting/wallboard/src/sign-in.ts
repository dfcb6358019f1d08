import { el, labelled } from "./dom";

/** Gives a token on every call: a fresh development token, or the one pasted. */
export type TokenSource = () => Promise<string>;

/**
 * A supervisor token from reporting's development route, which exists only while it runs without an
 * identity provider (`npm start`). A real deployment's supervisors paste (or are given) a token
 * from their identity provider instead.
 */
async function developmentToken(siteId: string, supervisorId: string): Promise<string> {
  const response = await fetch("/dev/token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ siteId, repId: supervisorId, roles: ["supervisor"] }),
  });
  if (response.status === 404)
    throw new Error("reporting is not in development mode: paste a token from your identity provider");
  const body = (await response.json()) as { token?: string; detail?: string };
  if (!response.ok || !body.token) throw new Error(body.detail ?? `HTTP ${response.status}`);
  return body.token;
}

function form(legend: string, legendId: string, ...fields: HTMLElement[]): HTMLFormElement {
  return el(
    "form",
    { "aria-labelledby": legendId },
    el("fieldset", {}, el("legend", { id: legendId }, legend), ...fields),
  );
}

/**
 * The sign-in view: a development token for a site and supervisor (the site comes from `?site=` when
 * given), or a pasted token. Calls `signedIn` once a first token was had.
 */
export function signInView(signedIn: (token: TokenSource) => void): HTMLElement {
  const alert = el("p", { role: "alert" });
  const site = el("input", { id: "site", name: "site", required: "", maxlength: "128", autocomplete: "off" });
  site.value = new URLSearchParams(location.search).get("site") ?? "demo";
  const supervisor = el("input", {
    id: "supervisor",
    name: "supervisor",
    required: "",
    maxlength: "128",
    autocomplete: "username",
  });
  supervisor.value = "supervisor";
  const development = form(
    "Development sign-in (npm start)",
    "dev-sign-in",
    labelled("Site", site),
    labelled("Supervisor", supervisor),
    el("button", { type: "submit" }, "Show the wallboard"),
  );
  development.addEventListener("submit", (event) => {
    event.preventDefault();
    const [siteId, supervisorId] = [site.value.trim(), supervisor.value.trim()];
    developmentToken(siteId, supervisorId).then(
      (first) => {
        let unused: string | undefined = first;
        signedIn(async () => {
          const token = unused ?? (await developmentToken(siteId, supervisorId));
          unused = undefined;
          return token;
        });
      },
      (error: unknown) =>
        (alert.textContent = `Sign-in failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  });

  const pasted = el("textarea", { id: "token", name: "token", rows: "3", required: "", maxlength: "8192" });
  const withToken = form(
    "Sign in with a token from your identity provider",
    "token-sign-in",
    labelled("Supervisor token (JWT)", pasted),
    el("button", { type: "submit" }, "Show the wallboard with this token"),
  );
  withToken.addEventListener("submit", (event) => {
    event.preventDefault();
    const token = pasted.value.trim();
    signedIn(() => Promise.resolve(token));
  });

  return el(
    "section",
    { "aria-labelledby": "sign-in-title" },
    el("h2", { id: "sign-in-title" }, "Sign in"),
    development,
    withToken,
    alert,
  );
}
