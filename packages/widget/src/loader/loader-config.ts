import { identityToken } from "../protocol";
import { pickLocale, type Locale } from "../locale";

/** What the script tag says, checked. */
export interface LoaderConfig {
  siteId: string;
  locale: Locale;
  /** intake's origin: where the frame lives and the only origin its messages may come from. */
  frameOrigin: string;
  /** The frame page, next to the loader on intake. */
  frameUrl: string;
  /** data-identity-token: a signed JWT the host page rendered into the tag. */
  identityToken: string | null;
  /** data-identity-callback: the name of a global function that returns a fresh JWT (or a promise of one). */
  identityCallback: string | null;
}

const SITE_ID = /^[A-Za-z0-9._-]{1,64}$/;
const CALLBACK_NAME = /^[A-Za-z_$][A-Za-z0-9_$]{0,63}$/;

/**
 * Reads the loader's `<script src=… data-site=…>` tag: data-site (required), data-locale (default: the
 * host page's `lang`), data-identity-token or data-identity-callback (optional). Throws naming the
 * attribute at fault.
 */
export function loaderConfig(
  script: { src: string; dataset: Record<string, string | undefined> },
  host: { lang: string; origin: string },
): LoaderConfig {
  const { site, locale, identityToken: token, identityCallback } = script.dataset;
  if (!site || !SITE_ID.test(site)) throw new Error("data-site: 1–64 of A-Z a-z 0-9 . _ - required");
  if (identityCallback !== undefined && !CALLBACK_NAME.test(identityCallback)) {
    throw new Error("data-identity-callback: the name of a global function");
  }
  if (token !== undefined && identityToken(token) === null) throw new Error("data-identity-token: 1–4,096 characters");
  const chosen = pickLocale(locale ?? host.lang);
  const frame = new URL("frame.html", script.src);
  // The frame posts to exactly this origin, and takes messages only from it.
  frame.search = new URLSearchParams({ site, locale: chosen, host: host.origin }).toString();
  return {
    siteId: site,
    locale: chosen,
    frameOrigin: frame.origin,
    frameUrl: frame.href,
    identityToken: token ?? null,
    identityCallback: identityCallback ?? null,
  };
}
