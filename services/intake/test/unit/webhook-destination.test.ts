import { describe, expect, it } from "vitest";
import { isNonPublicAddress, literalRefusal } from "../../src/portal/webhook-destination";

describe("webhook destinations", () => {
  it.each([
    "127.0.0.1",
    "127.8.9.10",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fd00::1",
    "fe80::1",
    "::ffff:127.0.0.1",
    "::ffff:a9fe:a9fe",
    "64:ff9b::a9fe:a9fe",
    "[::1]",
  ])("%s is not public", (address) => {
    expect(isNonPublicAddress(address)).toBe(true);
  });

  it.each(["93.184.216.34", "172.32.0.1", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8", "example.com"])(
    "%s is public (or a name, checked when it is resolved)",
    (address) => {
      expect(isNonPublicAddress(address)).toBe(false);
    },
  );

  it("refuses a URL whose host is a non-public literal, before any lookup", () => {
    expect(literalRefusal("http://127.0.0.1:8080/hook")).toBe("127.0.0.1 is not a public address");
    expect(literalRefusal("https://[::1]/hook")).toBe("[::1] is not a public address");
    expect(literalRefusal("https://169.254.169.254/latest/meta-data")).toBe("169.254.169.254 is not a public address");
    expect(literalRefusal("https://hooks.example.com/x")).toBeUndefined();
  });
});
