import { HttpProblem } from "@handoff/runtime";
import { ClientMode, Customer, StartMethod } from "@handoff/proto/common";
import type { CreateSessionRequest, CreateSessionResponse } from "@handoff/proto/session_broker_service";
import type { z } from "zod";
import { openStateAt } from "../domain/business-hours";
import { closingAdmission } from "../domain/closing-admission";
import type { CustomerBroker } from "./customer-broker";
import { verifyIdentityToken } from "./identity-token";
import type { startedSession, startSessionBody } from "./portal-schemas";
import { sessionStatusJson } from "./session-json";
import type { SitePortal } from "./site-portals";
import type { WaitPreview } from "./wait-preview";

type StartSession = z.infer<typeof startSessionBody>;

const CLIENT_MODE_OF = {
  click_to_chat: ClientMode.CLIENT_MODE_CLICK_TO_CHAT,
  full_client: ClientMode.CLIENT_MODE_FULL_CLIENT,
} as const;

const START_METHOD_OF = {
  rep_list: StartMethod.START_METHOD_REP_LIST,
  issue: StartMethod.START_METHOD_ISSUE_SUBMISSION,
  session_key: StartMethod.START_METHOD_SESSION_KEY,
  invitation_link: StartMethod.START_METHOD_INVITATION_LINK,
} as const;

const conflict = (reason: string, detail: string, members: Record<string, unknown> = {}) =>
  new HttpProblem(409, "Conflict", detail, undefined, { reason, ...members });

const fieldProblem = (field: string, problem: string) =>
  new HttpProblem(400, "Invalid request", `${field}: ${problem}`, field, { errors: [{ field, problem }] });

/** What the site's portal config lets this start through; every refusal says why. */
function checkAllowed(portal: SitePortal, body: StartSession, atMs: number): { portalClosed: boolean } {
  const { config } = portal;
  const enabled = {
    rep_list: config.startMethods.repList,
    issue: config.startMethods.issueForm,
    session_key: config.startMethods.sessionKey,
    // A rep sent the link himself: the portal offers no switch for it.
    invitation_link: true,
  }[body.method];
  if (!enabled) throw conflict("START_METHOD_DISABLED", `this portal does not offer ${body.method}`);
  if (body.mode && !config.startMethods.clientModes.includes(body.mode))
    throw fieldProblem("mode", `must be one of ${config.startMethods.clientModes.join(", ")}`);
  if (body.method === "issue" && !config.problemTypes.includes(body.problemTypeId ?? ""))
    throw fieldProblem("problemTypeId", "is not a problem type of this portal");
  const state = openStateAt(config.schedule ?? null, atMs);
  // Rule 5: outside business hours only a rep's key (or his invitation) starts a session.
  if (!state.open && body.method !== "session_key" && body.method !== "invitation_link")
    throw conflict("PORTAL_CLOSED", "the portal is closed; a session key from a rep still works", {
      opensAt: state.opensAtMs === null ? null : new Date(state.opensAtMs).toISOString(),
    });
  if ((config.agreement?.version ?? "") !== body.consent.agreementVersion)
    throw conflict("AGREEMENT_CHANGED", "the customer agreement has changed: show the current one", {
      agreementVersion: config.agreement?.version ?? "",
    });
  return { portalClosed: !state.open };
}

/**
 * Closing-time admission, before he queues: when the wait the acd foresees for him (P90) ends once the
 * portal has closed, he is told so (409 CLOSING_SOON) and queues only when he asks again with
 * `queueAfterClosing`. Keys and links are not asked: a rep is expecting that customer. Without an
 * answer from the acd he is not held up; the start's answer still says what his queued wait means.
 */
async function checkClosingTime(
  deps: { waits: Pick<WaitPreview, "estimate"> },
  portal: SitePortal,
  body: StartSession,
  atMs: number,
): Promise<void> {
  if (body.queueAfterClosing || (body.method !== "rep_list" && body.method !== "issue")) return;
  const queue = body.method === "rep_list" ? { repId: body.repId ?? "" } : { problemTypeId: body.problemTypeId ?? "" };
  const estimate = await deps.waits.estimate(portal.siteId, queue).catch(() => undefined);
  if (!estimate?.known) return;
  const admission = closingAdmission(portal.config.schedule ?? null, atMs, estimate.p90Ms);
  if (admission.waitEndsAfterClosing)
    throw conflict(
      "CLOSING_SOON",
      "the expected wait ends after the portal closes; ask again with queueAfterClosing to queue anyway",
      {
        closesAt: admission.closesAtMs === null ? null : new Date(admission.closesAtMs).toISOString(),
        estimate: { p50Ms: estimate.p50Ms, p90Ms: estimate.p90Ms, known: true },
      },
    );
}

/** The session's recorded client mode as the portal names it (UNSPECIFIED: recorded before modes were). */
const MODE_NAME_OF: Partial<Record<ClientMode, keyof typeof CLIENT_MODE_OF>> = {
  [ClientMode.CLIENT_MODE_CLICK_TO_CHAT]: "click_to_chat",
  [ClientMode.CLIENT_MODE_FULL_CLIENT]: "full_client",
};

type Deps = { broker: CustomerBroker; waits: Pick<WaitPreview, "estimate"> };
type Identity = Awaited<ReturnType<typeof verifyIdentityToken>>;

async function identityOf(portal: SitePortal, body: StartSession): Promise<Identity> {
  return body.identityToken
    ? verifyIdentityToken(body.identityToken, portal.siteId, portal.config.identityKeys)
    : { fields: {}, verifiedFields: [] };
}

/** What intake asks the broker for this start. */
function createRequest(
  portal: SitePortal,
  body: StartSession,
  identity: Identity,
  clientAddress: string,
  portalClosed: boolean,
  idempotencyKey: string,
): CreateSessionRequest {
  const typed = body.customer;
  const customer = Customer.fromPartial({
    name: identity.fields.name ?? typed.name ?? "",
    company: identity.fields.company ?? typed.company ?? "",
    companyCode: identity.fields.companyCode ?? typed.companyCode ?? "",
    email: identity.fields.email ?? typed.email ?? "",
    description: typed.description ?? "",
    locale: typed.locale ?? "",
    verifiedFields: identity.verifiedFields,
  });
  const mode = body.mode ?? portal.config.startMethods.clientModes[0] ?? "click_to_chat";
  return {
    siteId: portal.siteId,
    startMethod: START_METHOD_OF[body.method],
    repId: body.repId ?? "",
    problemTypeId: body.problemTypeId ?? "",
    sessionKey: (body.sessionKey ?? "").replace(/[\s-]/g, ""),
    invitationToken: body.invitationToken ?? "",
    customer,
    consent: {
      agreementAccepted: true,
      agreementVersion: body.consent.agreementVersion,
      recordingAllowed: portal.config.recordingPrompt ? body.consent.recordingAllowed : false,
      accessLinkAllowed: false,
      recordedAtMs: 0,
    },
    clientAddress,
    portalClosed,
    clientMode: CLIENT_MODE_OF[mode],
    // The broker keeps it with the session (PostgreSQL), so a retry through any intake replica finds it.
    idempotencyKey,
    repeatOnly: false,
  };
}

/** The broker's answer to a start as the customer is told it. */
function startedAnswer(
  portal: SitePortal,
  created: CreateSessionResponse,
  identity: Identity,
  atMs: number,
): z.infer<typeof startedSession> {
  const session = created.session!;
  const status = sessionStatusJson(session, created.position);
  const { estimate } = status.position;
  // An unknown estimate counts as no wait: only a closed portal (a key out of hours) is then told.
  const closing =
    status.state === "waiting"
      ? closingAdmission(portal.config.schedule ?? null, atMs, estimate.known ? estimate.p90Ms : 0)
      : { waitEndsAfterClosing: false, closesAtMs: null };
  return {
    ...status,
    customerToken: created.customerToken,
    mode: MODE_NAME_OF[session.clientMode] ?? "click_to_chat",
    noRepAvailable: created.noRepAvailable,
    fallbackUrl: created.fallbackUrl || portal.config.fallbackUrl || null,
    closing: {
      waitEndsAfterClosing: closing.waitEndsAfterClosing,
      closesAt: closing.closesAtMs === null ? null : new Date(closing.closesAtMs).toISOString(),
    },
    verifiedFields: identity.verifiedFields,
  };
}

/**
 * A start the portal's rules refused may be the retry of one they admitted before they changed (closing
 * time passed, a new agreement version): when its idempotency key started a session with the same
 * fields, that session is the answer; otherwise the refusal stands.
 */
async function repeatOrRefuse(
  deps: Deps,
  portal: SitePortal,
  body: StartSession,
  clientAddress: string,
  atMs: number,
  idempotencyKey: string,
  refusal: unknown,
): Promise<z.infer<typeof startedSession>> {
  if (idempotencyKey === "") throw refusal;
  // A token that no longer verifies cannot name the first start's fields: the refusal is the answer.
  const identity = await identityOf(portal, body).catch(() => {
    throw refusal;
  });
  const repeated = await deps.broker.repeatedStart(
    createRequest(portal, body, identity, clientAddress, false, idempotencyKey),
  );
  if (!repeated) throw refusal;
  return startedAnswer(portal, repeated, identity, atMs);
}

/**
 * Starts a customer's session: the portal's rules (start method, hours, agreement version), the host
 * site's identity token, then the broker (which queues it and answers the customer's token). The
 * answer tells at once when no eligible rep is logged in, and whether his P90 wait ends after closing.
 * With an idempotency key the broker answers a retry with the session the first attempt started, also
 * when the rules refuse the retry (see repeatOrRefuse).
 */
export async function startSession(
  deps: Deps,
  portal: SitePortal,
  body: StartSession,
  clientAddress: string,
  atMs: number,
  idempotencyKey = "",
): Promise<z.infer<typeof startedSession>> {
  let portalClosed: boolean;
  try {
    ({ portalClosed } = checkAllowed(portal, body, atMs));
    if (!portalClosed) await checkClosingTime(deps, portal, body, atMs);
  } catch (refusal) {
    return repeatOrRefuse(deps, portal, body, clientAddress, atMs, idempotencyKey, refusal);
  }
  const identity = await identityOf(portal, body);
  const created = await deps.broker.createSession(
    createRequest(portal, body, identity, clientAddress, portalClosed, idempotencyKey),
  );
  return startedAnswer(portal, created, identity, atMs);
}
