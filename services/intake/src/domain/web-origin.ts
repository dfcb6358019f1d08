/**
 * Web addresses a site config names: the origins allowed to embed the portal (CORS, postMessage) and
 * the fallback page. Plain http is taken only on loopback, for local development; everything a
 * customer reaches in production is https.
 */

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

function webUrl(text: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && LOOPBACK.has(url.hostname)) return url;
  return undefined;
}

/**
 * An origin exactly as a browser sends it in `Origin`: scheme, host and a port only when it is not the
 * default, lower case, no path, no trailing slash, no wildcard. Origins are compared as strings, so
 * anything looser would never match.
 */
export function isExactOrigin(text: string): boolean {
  return webUrl(text)?.origin === text && !text.includes("*");
}

/** An https address (http on loopback) without credentials in it. */
export function isWebAddress(text: string): boolean {
  const url = webUrl(text);
  return url !== undefined && url.username === "" && url.password === "";
}
