import { describe, expect, it } from "vitest";
import { loaderConfig } from "../../src/loader/loader-config";

const host = { lang: "en-GB", origin: "https://shop.example" };
const tag = (dataset: Record<string, string>) => ({ src: "https://intake.example/widget/loader.js", dataset });

describe("loader configuration from the script tag", () => {
  it("puts the frame next to the loader on intake's origin, naming site, locale and host origin", () => {
    const config = loaderConfig(tag({ site: "acme" }), host);
    expect(config.frameOrigin).toBe("https://intake.example");
    const frame = new URL(config.frameUrl);
    expect(frame.pathname).toBe("/widget/frame.html");
    expect(Object.fromEntries(frame.searchParams)).toEqual({
      site: "acme",
      locale: "en",
      host: "https://shop.example",
    });
  });

  it("takes data-locale first, then the host page's language, and falls back to English", () => {
    expect(loaderConfig(tag({ site: "acme", locale: "de-AT" }), host).locale).toBe("de");
    expect(loaderConfig(tag({ site: "acme" }), { ...host, lang: "de" }).locale).toBe("de");
    expect(loaderConfig(tag({ site: "acme", locale: "fr" }), host).locale).toBe("en");
  });

  it("names the attribute at fault", () => {
    expect(() => loaderConfig(tag({}), host)).toThrow(/data-site/);
    expect(() => loaderConfig(tag({ site: "a b" }), host)).toThrow(/data-site/);
    expect(() => loaderConfig(tag({ site: "acme", identityCallback: "alert(1)" }), host)).toThrow(
      /data-identity-callback/,
    );
    expect(() => loaderConfig(tag({ site: "acme", identityToken: "x".repeat(5_000) }), host)).toThrow(
      /data-identity-token/,
    );
  });

  it("keeps the identity token attribute and the callback's name", () => {
    const config = loaderConfig(
      tag({ site: "acme", identityToken: "a.b.c", identityCallback: "getSupportToken" }),
      host,
    );
    expect(config.identityToken).toBe("a.b.c");
    expect(config.identityCallback).toBe("getSupportToken");
  });
});
