import { describe, expect, it } from "vitest";
import type { Logger } from "@handoff/runtime";
import { LoggingInvitationNotifier, maskAddress } from "../../src/notifications/invitation-notifier";

describe("the logging invitation notifier", () => {
  it("keeps the token out of its info line and logs the link only at debug level", async () => {
    const lines: { level: string; fields: Record<string, unknown> }[] = [];
    const record = (level: string) => (fields: Record<string, unknown>) => lines.push({ level, fields });
    const logger = { info: record("info"), debug: record("debug") } as unknown as Logger;
    const token = "q3v5tYV0aJc9v7b7nA0bJQ";
    await new LoggingInvitationNotifier(logger).send({
      siteId: "s1",
      invitationId: "inv-1",
      repId: "alice",
      address: "carl@example.com",
      customerName: "Carl",
      url: `https://support.example.com/i/${token}`,
      token,
      expiresAtMs: 1,
    });
    const info = lines.filter((l) => l.level === "info");
    expect(info).toHaveLength(1);
    expect(JSON.stringify(info)).not.toContain(token);
    expect(JSON.stringify(info)).not.toContain("carl@");
    expect(info[0]!.fields).toMatchObject({ link: "https://support.example.com/i/<token>", to: "c***@example.com" });
    expect(lines.find((l) => l.level === "debug")?.fields.url).toContain(token);
  });

  it("masks addresses down to their first letter and domain", () => {
    expect(maskAddress("carl.customer@example.com")).toBe("c***@example.com");
  });
});
