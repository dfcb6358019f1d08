import { describe, expect, it } from "vitest";
import { identityClaims } from "../../src/frame/identity-claims";

const jwt = (claims: unknown) => `header.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.signature`;

describe("identity claims the issue form shows locked", () => {
  it("reads the customer claims intake uses, in UTF-8", () => {
    expect(identityClaims(jwt({ name: "Jürgen Groß", company: "Acme", sub: "u1", email: "j@acme.example" }))).toEqual({
      name: "Jürgen Groß",
      company: "Acme",
      email: "j@acme.example",
    });
  });

  it("ignores what is not a bounded string, and anything that is not a JWT", () => {
    expect(identityClaims(jwt({ name: 42, company: "", companyCode: "x".repeat(400) }))).toEqual({});
    expect(identityClaims("not-a-jwt")).toEqual({});
    expect(identityClaims("a.%%%.c")).toEqual({});
    expect(identityClaims(null)).toEqual({});
  });
});
