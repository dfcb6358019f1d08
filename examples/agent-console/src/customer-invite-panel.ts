import type { AgentClient } from "@handoff/agent-sdk";
import { attempt, type Announcer } from "./announcer.js";
import { field, h, onSubmit, select, text } from "./dom.js";

const until = (ms: number): string => new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

/**
 * Bringing a customer in without a queue: a session key he types on the portal (his session comes to
 * this rep, or to a team), or an invitation link sent by e-mail or read out by chat or phone.
 */
export class CustomerInvitePanel {
  readonly element: HTMLElement;
  private readonly key = h("output", { class: "credential", "aria-live": "polite" });
  private readonly link = h("output", { class: "credential", "aria-live": "polite" });

  constructor(
    private readonly client: AgentClient,
    private readonly announcer: Announcer,
  ) {
    this.element = h(
      "section",
      { class: "panel invite", "aria-labelledby": "invite-title" },
      h("h2", { id: "invite-title" }, "Invite a customer"),
      this.keyForm(),
      this.key,
      this.linkForm(),
      this.link,
    );
  }

  private keyForm(): HTMLFormElement {
    const team = h("input", { name: "team", maxlength: 128, autocomplete: "off" });
    const form = h(
      "form",
      {},
      h(
        "fieldset",
        {},
        h("legend", {}, "Session key"),
        field("For a team (empty: for me)", team),
        h("button", { type: "submit" }, "Create a session key"),
      ),
    );
    onSubmit(form, (fields) =>
      attempt(this.announcer, "Creating a session key failed", async () => {
        const teamId = text(fields, "team");
        const key = await this.client.createSessionKey(teamId ? { target: { teamId } } : {});
        this.key.value = `Session key ${key.displayKey}, valid until ${until(key.expiresAtMs)}.`;
      }),
    );
    return form;
  }

  private linkForm(): HTMLFormElement {
    const name = h("input", { name: "name", maxlength: 200, autocomplete: "off" });
    const address = h("input", { name: "address", type: "email", maxlength: 320, autocomplete: "off" });
    const channels: [string, string][] = [
      ["chat", "by chat"],
      ["phone", "by phone"],
      ["email", "by e-mail"],
    ];
    const form = h(
      "form",
      {},
      h(
        "fieldset",
        {},
        h("legend", {}, "Invitation link"),
        field("Send it", select("channel", channels, "chat")),
        field("Customer's name (optional)", name),
        field("E-mail address (by e-mail)", address),
        h("button", { type: "submit" }, "Create an invitation link"),
      ),
    );
    onSubmit(form, (fields) =>
      attempt(this.announcer, "Creating an invitation link failed", async () => {
        const invitation = await this.client.createInvitation({
          channel: text(fields, "channel") as "chat" | "phone" | "email",
          customerName: text(fields, "name") || undefined,
          customerAddress: text(fields, "address") || undefined,
        });
        this.link.value = `${invitation.url} (valid until ${until(invitation.expiresAtMs)})`;
      }),
    );
    return form;
  }
}
