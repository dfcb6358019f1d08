// The frame page's script (frame.html on intake's origin): reads its URL (site, locale, the host
// page's origin, all set by the loader), builds the header and starts the flow.
import { pickLocale } from "../locale";
import { button, h } from "./dom";
import { HostBridge } from "./host-bridge";
import { translator } from "./i18n/i18n";
import { PortalClient } from "./portal-client";
import { WidgetApp } from "./widget-app";

const SITE_ID = /^[A-Za-z0-9._-]{1,64}$/;

function hostOrigin(value: string | null): string {
  try {
    const origin = new URL(value ?? "").origin;
    // An opaque origin ("null") cannot be a postMessage target: the frame then talks to no one.
    return origin === "null" ? location.origin : origin;
  } catch {
    return location.origin;
  }
}

function main(): void {
  const params = new URL(location.href).searchParams;
  const i18n = translator(pickLocale(params.get("locale")));
  const siteId = params.get("site") ?? "";
  const root = document.getElementById("app");
  if (!root) return;
  document.documentElement.lang = i18n.locale;
  document.title = i18n.t("title");
  const host = new HostBridge(hostOrigin(params.get("host")));
  root.before(
    h(
      "header",
      { class: "bar" },
      h("h1", {}, i18n.t("title")),
      button(i18n.t("minimize"), () => host.minimize(), { class: "minimize" }),
    ),
  );
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") host.minimize();
  });
  if (!SITE_ID.test(siteId)) {
    root.textContent = i18n.t("unreachable");
    return;
  }
  void new WidgetApp(root, i18n, new PortalClient(siteId), host).boot();
}

main();
