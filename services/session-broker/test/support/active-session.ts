import type { ServiceError, status } from "@grpc/grpc-js";
import { expect } from "vitest";
import { SessionState, StartMethod } from "@handoff/proto/common";
import type { SessionEvent } from "@handoff/proto/events";
import type { Session } from "@handoff/proto/session_broker_service";
import { asCustomer, asSupervisor, createRequest, eventually, type SessionBroker } from "@handoff/testing";

export interface ActiveSession {
  siteId: string;
  sessionId: string;
  customerToken: string;
  customer: ReturnType<typeof asCustomer>;
}

/** The session as a supervisor sees it. */
export async function sessionOf(broker: SessionBroker, siteId: string, sessionId: string): Promise<Session> {
  return (await broker.getSession({ siteId, sessionId, requester: asSupervisor("sam") })).session!;
}

/** Waits until the session is offered to `repId` and returns the offer's epoch. */
export async function offeredTo(broker: SessionBroker, siteId: string, sessionId: string, repId: string) {
  const session = await eventually(
    async () => {
      const s = await sessionOf(broker, siteId, sessionId);
      return s.state === SessionState.SESSION_STATE_OFFERED && s.repId === repId ? s : undefined;
    },
    15_000,
    `session offered to ${repId}`,
  );
  return session.epoch;
}

/** A customer asks for `repId` (REP_LIST); the offer reaches the broker and the rep accepts it. */
export async function activeSession(broker: SessionBroker, siteId: string, repId: string): Promise<ActiveSession> {
  const created = await broker.createSession(
    createRequest(siteId, { startMethod: StartMethod.START_METHOD_REP_LIST, repId }),
  );
  const sessionId = created.session!.sessionId;
  const epoch = await offeredTo(broker, siteId, sessionId, repId);
  await broker.acceptSessionOffer({ siteId, sessionId, repId, epoch });
  return { siteId, sessionId, customerToken: created.customerToken, customer: asCustomer(created.customerToken) };
}

/** Every event of the session as staff sees it, in order. */
export async function eventsOf(broker: SessionBroker, siteId: string, sessionId: string): Promise<SessionEvent[]> {
  const events: SessionEvent[] = [];
  for (;;) {
    const page = await broker.listSessionEvents({
      siteId,
      sessionId,
      requester: asSupervisor("sam"),
      afterSequence: events.at(-1)?.sequence ?? 0,
      limit: 500,
    });
    events.push(...page.events);
    if (page.events.length < 500) return events;
  }
}

/** The payload cases of events, e.g. ["participantLeft", "sessionWaiting"]. */
export const casesOf = (events: readonly SessionEvent[]) => events.map((e) => e.payload?.$case);

/** Expects the call to fail with `code` (and, for INVALID_ARGUMENT, naming `field`). */
export async function expectStatus(call: Promise<unknown>, code: status, field?: string): Promise<ServiceError> {
  const error = (await call.then(
    () => undefined,
    (e: unknown) => e,
  )) as ServiceError | undefined;
  expect(error, `expected status ${code}${field ? ` naming ${field}` : ""}`).toBeDefined();
  expect({ code: error!.code, details: error!.details }).toMatchObject({ code });
  if (field) expect(error!.details.startsWith(`${field}:`), `${error!.details} should name ${field}`).toBe(true);
  return error!;
}
