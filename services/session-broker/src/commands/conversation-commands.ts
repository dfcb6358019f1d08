import { actorOf, type RequesterValue } from "../domain/access";
import { NotAllowedError, SurveyAlreadySubmittedError } from "../domain/errors";
import { checkCustomerSurveyAllowed } from "../domain/survey-rules";
import type { ParticipantStore } from "../store/participant-store";
import type { SessionChange, SessionStore } from "../store/session-store";
import type { SurveyStore } from "../store/survey-store";
import { onlyRequesters, requireActive, type SessionAccess } from "./session-access";

/**
 * Chat and nudges between the customer and the reps, rep notes, and the exit surveys. Each is a
 * session event, so its sequence orders it in the session's history and feed; notes and rep surveys
 * never reach the customer (see domain/customer-visibility).
 */
export class ConversationCommands {
  constructor(
    private readonly store: SessionStore,
    private readonly participants: ParticipantStore,
    private readonly surveys: SurveyStore,
    private readonly access: SessionAccess,
  ) {}

  /** Returns the message's sequence in the session. */
  async chat(siteId: string, sessionId: string, requester: RequesterValue, text: string): Promise<number> {
    const { events } = await this.store.change(siteId, sessionId, async (c) => {
      await this.access.check(c, requester, "customer_or_participant");
      requireActive(c, "chat needs an active session");
      c.emit({ $case: "chatMessageSent", chatMessageSent: { from: actorOf(requester), fromId: requester.id, text } });
    });
    return events[0]!.sequence;
  }

  async nudge(siteId: string, sessionId: string, requester: RequesterValue): Promise<void> {
    await this.store.change(siteId, sessionId, async (c) => {
      await this.access.check(c, requester, "customer_or_participant");
      requireActive(c, "nudges need an active session");
      c.emit({ $case: "nudged", nudged: { from: actorOf(requester), fromId: requester.id } });
    });
  }

  /**
   * A rep who takes or took part (or a supervisor) notes something, also after he left or the
   * session ended (wrap-up). Returns the note's sequence.
   */
  async note(siteId: string, sessionId: string, requester: RequesterValue, text: string): Promise<number> {
    const { events } = await this.store.change(siteId, sessionId, async (c) => {
      onlyRequesters(requester, ["rep", "supervisor"], "reps and supervisors write notes");
      await this.requireTookPart(c, requester);
      c.emit({ $case: "noteAdded", noteAdded: { repId: requester.id, text } });
    });
    return events[0]!.sequence;
  }

  /** The customer's exit survey: once, after the end, never after a notice exit. */
  async customerSurvey(
    siteId: string,
    sessionId: string,
    requester: RequesterValue,
    satisfaction: number,
    comment: string,
  ): Promise<void> {
    await this.store.change(siteId, sessionId, async (c) => {
      onlyRequesters(requester, ["customer"], "the customer answers the exit survey");
      await this.access.check(c, requester, "customer");
      checkCustomerSurveyAllowed(sessionId, c.row.state, c.row.endReason);
      if (!(await this.surveys.record(c.tx, siteId, sessionId, "customer", "", c.nowMs)))
        throw new SurveyAlreadySubmittedError("the customer's survey of this session was submitted already");
      c.emit({ $case: "surveySubmitted", surveySubmitted: { satisfaction, comment } });
    });
  }

  /** A rep's survey (resolution code and comment): once per rep who took part in the session. */
  async repSurvey(
    siteId: string,
    sessionId: string,
    requester: RequesterValue,
    resolutionCode: string,
    comment: string,
  ): Promise<void> {
    await this.store.change(siteId, sessionId, async (c) => {
      onlyRequesters(requester, ["rep"], "a rep who took part answers the rep survey");
      await this.requireTookPart(c, requester);
      if (!(await this.surveys.record(c.tx, siteId, sessionId, "rep", requester.id, c.nowMs)))
        throw new SurveyAlreadySubmittedError(`rep ${requester.id}'s survey of this session was submitted already`);
      c.emit({ $case: "repSurveySubmitted", repSurveySubmitted: { repId: requester.id, resolutionCode, comment } });
    });
  }

  private async requireTookPart(c: SessionChange, requester: RequesterValue): Promise<void> {
    if (requester.kind !== "rep") return;
    if (!(await this.participants.tookPart(c.tx, c.row.siteId, c.row.sessionId, requester.id)))
      throw new NotAllowedError(`rep ${requester.id} did not take part in this session`);
  }
}
