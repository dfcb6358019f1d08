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
}

/** A customer-facing page on an origin of its own (another port) embedding the widget from `intakeOrigin`. */
export class HostPage {
  private constructor(
    private readonly server: Server,
    readonly origin: string,
  ) {}

  static async start(intakeOrigin: string, options: HostPageOptions): Promise<HostPage> {
    const attributes = Object.entries({
      "data-site": options.siteId,
      "data-locale": options.locale,
      "data-identity-token": options.identityToken,
    })
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => `${name}="${value}"`)
      .join(" ");
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Example shop</title>
<link rel="stylesheet" href="/host.css"></head><body><main><h1>Example shop</h1><p>Our products.</p></main>
<script src="${intakeOrigin}/widget/loader.js" ${attributes} async></script></body></html>`;
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
      res.end(html);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    // "localhost", not 127.0.0.1: another origin than intake's even on the same machine.
    return new HostPage(server, `http://localhost:${(server.address() as AddressInfo).port}`);
  }

  /** The page's URL, with an invitation link's token when given. */
  url(invitationToken?: string): string {
    return invitationToken ? `${this.origin}/?handoff-invitation=${invitationToken}` : `${this.origin}/`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
