import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * The strictest CSP we ask an embedding site for: its own stylesheet, intake's loader script and
 * intake's frame, nothing inline, nothing else.
 */
export const hostCsp = (intakeOrigin: string): string =>
  [
    "default-src 'none'",
    `script-src ${intakeOrigin}/widget/loader.js`,
    `frame-src ${intakeOrigin}`,
    "style-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");

/** Host styles that would wreck a widget living in the page's own DOM. */
const HOSTILE_CSS =
  "button{background:hotpink!important;font-size:40px!important}iframe{border:10px dashed red!important}";

export interface HostPageOptions {
  siteId: string;
  locale?: string;
  identityToken?: string;
  /** The name of a global function of the page that returns the identity token (data-identity-callback). */
  identityCallback?: string;
  /** An invitation link's token in the page's URL (the site's invitation base URL). */
  invitationToken?: string;
}

/** The page's script tag, as a site's developer writes it. */
function page(intakeOrigin: string, query: URLSearchParams): string {
  const attributes = [
    ["data-site", query.get("site")],
    ["data-locale", query.get("locale")],
    ["data-identity-token", query.get("identity")],
    ["data-identity-callback", query.get("callback")],
  ]
    .filter((pair): pair is [string, string] => typeof pair[1] === "string" && /^[\w.-]+$/.test(pair[1]))
    .map(([name, value]) => `${name}="${value}"`)
    .join(" ");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Example shop</title>
<link rel="stylesheet" href="/host.css"></head><body><main><h1>Example shop</h1><p>Our products.</p></main>
<script src="${intakeOrigin}/widget/loader.js" ${attributes} async></script></body></html>`;
}

/**
 * A customer-facing page on an origin of its own (another host and port than intake's) embedding the
 * widget from `intakeOrigin`; each URL names the site and the script tag's options.
 */
export class HostPage {
  private constructor(
    private readonly server: Server,
    readonly origin: string,
  ) {}

  static async start(intakeOrigin: string): Promise<HostPage> {
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://host");
      if (url.pathname === "/host.css") {
        res.writeHead(200, { "content-type": "text/css" }).end(HOSTILE_CSS);
        return;
      }
      res.writeHead(200, {
        "content-type": "text/html; charset=utf-8",
        "content-security-policy": hostCsp(intakeOrigin),
      });
      res.end(page(intakeOrigin, url.searchParams));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    // "localhost", not 127.0.0.1: another origin than intake's even on the same machine.
    return new HostPage(server, `http://localhost:${(server.address() as AddressInfo).port}`);
  }

  url(options: HostPageOptions): string {
    const query = new URLSearchParams({ site: options.siteId });
    if (options.locale) query.set("locale", options.locale);
    if (options.identityToken) query.set("identity", options.identityToken);
    if (options.identityCallback) query.set("callback", options.identityCallback);
    if (options.invitationToken) query.set("handoff-invitation", options.invitationToken);
    return `${this.origin}/?${query}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
