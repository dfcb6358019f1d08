import { Actor, ClientMode, StartMethod } from "@handoff/proto/common";
import type { CreateSessionRequest } from "@handoff/proto/session_broker_service";

/** A valid CreateSession request; `overrides` change what a test is about. */
export function createRequest(siteId: string, overrides: Partial<CreateSessionRequest> = {}): CreateSessionRequest {
  return {
    siteId,
    startMethod: StartMethod.START_METHOD_REP_LIST,
    repId: "",
    sessionKey: "",
    problemTypeId: "",
    customer: {
      name: "Carl Customer",
      company: "Acme",
      email: "carl@example.com",
      description: "printer",
      locale: "en",
      companyCode: "",
      verifiedFields: [],
    },
    consent: {
      agreementAccepted: true,
      agreementVersion: "2026-01",
      recordingAllowed: false,
      accessLinkAllowed: false,
      recordedAtMs: 0,
    },
    invitationToken: "",
    clientAddress: "127.0.0.1",
    portalClosed: false,
    clientMode: ClientMode.CLIENT_MODE_CLICK_TO_CHAT,
    idempotencyKey: "",
    repeatOnly: false,
    ...overrides,
  };
}

/** An issue submission for the site's problem type `general` (see `siteWithTeams`). */
export const issueRequest = (siteId: string, overrides: Partial<CreateSessionRequest> = {}) =>
  createRequest(siteId, {
    startMethod: StartMethod.START_METHOD_ISSUE_SUBMISSION,
    problemTypeId: "general",
    ...overrides,
  });

/** The requester fields of a rep, a supervisor, a customer (by his session token) or the system. */
export const asRep = (id: string) => ({ actor: Actor.ACTOR_REP, id, customerToken: "" });
export const asSupervisor = (id = "sam") => ({ actor: Actor.ACTOR_SUPERVISOR, id, customerToken: "" });
export const asCustomer = (customerToken: string) => ({ actor: Actor.ACTOR_CUSTOMER, id: "", customerToken });
export const asSystem = () => ({ actor: Actor.ACTOR_SYSTEM, id: "", customerToken: "" });
