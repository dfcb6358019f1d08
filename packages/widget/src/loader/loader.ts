// The widget's script tag: <script src="https://intake…/widget/loader.js" data-site="…">. Adds a launcher
// button (in a shadow root, so host styles do not reach it) and, on first use, the frame from intake's
// origin that holds the whole UI. It fetches nothing itself: the host CSP needs only script-src for
// this file and frame-src for intake.
import { invitationToken, parseFrameMessage, PROTOCOL, resumeLink, type HostMessage } from "../protocol";
import { hostIdentityToken } from "./identity-source";
import { LAUNCHER_STRINGS } from "./launcher-strings";
import { LAUNCHER_CSS } from "./launcher-styles";
import { loaderConfig, type LoaderConfig } from "./loader-config";
import { recallSession, rememberSession } from "./session-memory";

/** The query parameter of an invitation link that lands on the host page (the site's invitation base URL). */
const INVITATION_PARAMETER = "handoff-invitation";
/** Keep my place's resume link: the site's page with `<session>.<one-time token>` (services/intake). */
const RESUME_PARAMETER = "handoff-resume";

/** The resume link's value, taken off the address bar: it works once, and must not be bookmarked or shared. */
function takeResumeLink() {
  const url = new URL(location.href);
  const resume = resumeLink(url.searchParams.get(RESUME_PARAMETER));
  if (url.searchParams.has(RESUME_PARAMETER)) {
    url.searchParams.delete(RESUME_PARAMETER);
    history.replaceState(history.state, "", url);
  }
  return resume;
}

function mount(config: LoaderConfig): void {
  const strings = LAUNCHER_STRINGS[config.locale];
  const host = document.createElement("div");
  host.setAttribute("data-handoff-widget", config.siteId);
  const root = host.attachShadow({ mode: "open" });
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(LAUNCHER_CSS);
  root.adoptedStyleSheets = [sheet];

  const launcher = document.createElement("button");
  launcher.type = "button";
  launcher.className = "launcher";
  launcher.textContent = strings.open;
  launcher.setAttribute("aria-expanded", "false");
  const panel = document.createElement("div");
  panel.className = "panel";
  panel.id = "handoff-panel";
  panel.hidden = true;
  launcher.setAttribute("aria-controls", panel.id);
  root.append(panel, launcher);
  document.body.append(host);

  let frame: HTMLIFrameElement | null = null;
  const post = (message: HostMessage) => frame?.contentWindow?.postMessage(message, config.frameOrigin);
  const invitation = invitationToken(new URL(location.href).searchParams.get(INVITATION_PARAMETER));
  const resume = takeResumeLink();
  const flag = () => {
    if (!panel.hidden) return;
    launcher.setAttribute("data-attention", "");
    launcher.setAttribute("aria-description", strings.attention);
  };

  /** Opens or closes the panel; `focus` moves the keyboard along (not when it opens by itself at load). */
  function setOpen(open: boolean, focus = true): void {
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    launcher.textContent = open ? strings.close : strings.open;
    launcher.removeAttribute("data-attention");
    launcher.removeAttribute("aria-description");
    if (!open) return focus ? launcher.focus() : undefined;
    if (!frame) {
      frame = document.createElement("iframe");
      frame.title = strings.frameTitle;
      frame.src = config.frameUrl;
      // Its own origin with scripts and forms; popups only for the fallback link the customer follows.
      frame.setAttribute(
        "sandbox",
        "allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox",
      );
      panel.append(frame);
    }
    if (focus) frame.focus();
  }

  launcher.addEventListener("click", () => setOpen(panel.hidden));
  window.addEventListener("message", (event) => {
    if (!frame || event.source !== frame.contentWindow || event.origin !== config.frameOrigin) return;
    const message = parseFrameMessage(event.data);
    if (!message) return;
    switch (message.type) {
      case "ready":
        return post({
          protocol: PROTOCOL,
          type: "init",
          invitationToken: invitation,
          session: recallSession(config.siteId),
          resume,
        });
      case "identity-request":
        void hostIdentityToken(config).then((token) =>
          post({ protocol: PROTOCOL, type: "identity", requestId: message.requestId, token }),
        );
        return;
      case "minimize":
        return setOpen(false);
      case "remember":
        return rememberSession(config.siteId, message.session);
      case "attention":
        return flag();
      // The click in the frame activates this page too, so it may ask for notifications.
      case "keep-place":
        if (typeof Notification === "function" && Notification.permission === "default")
          void Notification.requestPermission();
        return;
      case "notify": {
        flag();
        if (typeof Notification !== "function" || Notification.permission !== "granted") return;
        const shown = new Notification(message.title, { body: message.body, tag: "handoff-keep-place" });
        shown.onclick = () => (window.focus(), setOpen(true));
        return;
      }
    }
  });
  // An invitation link opens the widget at once (the customer came for exactly this), and so does a
  // session under way (after a reload, he sees at once where he is).
  if (invitation || resume || recallSession(config.siteId)) setOpen(true, false);
}

function start(): void {
  const script = document.currentScript;
  if (!(script instanceof HTMLScriptElement)) return;
  let config: LoaderConfig;
  try {
    config = loaderConfig(script, { lang: document.documentElement.lang, origin: location.origin });
  } catch (error) {
    console.error(`handoff widget: ${(error as Error).message}`);
    return;
  }
  if (document.body) mount(config);
  else document.addEventListener("DOMContentLoaded", () => mount(config), { once: true });
}

start();
