import { randomUUID } from "node:crypto";
import { Actor } from "@handoff/proto/common";
import type { RequesterValue } from "../domain/access";
import { FileSendPendingError, RequestAlreadyAnsweredError, UnknownReferenceError } from "../domain/errors";
import { checkFileToSend } from "../domain/file-send-rules";
import type { FileSendStore } from "../store/file-send-store";
import type { SessionStore } from "../store/session-store";
import { onlyRequesters, requireActive, type SessionAccess } from "./session-access";

/**
 * The customer asks to send the reps a file (its name and size; the bytes travel in the remote-support
 * client, not here); a rep of the session allows or denies it. One unanswered request at a time: an
 * open request stays open across a transfer, for the next rep to answer.
 */
export class FileSendCommands {
  constructor(
    private readonly store: SessionStore,
    private readonly fileSends: FileSendStore,
    private readonly access: SessionAccess,
  ) {}

  /** Returns the new request's id. */
  async request(
    siteId: string,
    sessionId: string,
    requester: RequesterValue,
    fileName: string,
    sizeBytes: number,
  ): Promise<string> {
    checkFileToSend(fileName, sizeBytes);
    const { result } = await this.store.change(siteId, sessionId, async (c) => {
      onlyRequesters(requester, ["customer"], "the customer asks to send a file");
      await this.access.check(c, requester, "customer");
      requireActive(c, "files are sent in an active session");
      const open = await this.fileSends.open(c.tx, siteId, sessionId);
      if (open) throw new FileSendPendingError(`the request to send ${open.fileName} is not answered yet`);
      const requestId = randomUUID();
      await this.fileSends.insert(c.tx, siteId, sessionId, { requestId, fileName, sizeBytes, requestedAtMs: c.nowMs });
      c.emit({ $case: "fileSendRequested", fileSendRequested: { requestId, fileName, sizeBytes } });
      return requestId;
    });
    return result;
  }

  /** A rep taking part allows or denies the open request. */
  async answer(
    siteId: string,
    sessionId: string,
    requester: RequesterValue,
    requestId: string,
    allowed: boolean,
  ): Promise<void> {
    await this.store.change(siteId, sessionId, async (c) => {
      onlyRequesters(requester, ["rep"], "a rep in the session answers a file-send request");
      await this.access.check(c, requester, "participant");
      const request = await this.fileSends.find(c.tx, siteId, sessionId, requestId);
      if (!request) throw new UnknownReferenceError("request_id", `no file-send request ${requestId} in this session`);
      if (request.answer) throw new RequestAlreadyAnsweredError(`file-send request ${requestId} was ${request.answer}`);
      requireActive(c, "files are sent in an active session");
      const answer = allowed ? "allowed" : "denied";
      await this.fileSends.answer(c.tx, siteId, sessionId, requestId, answer, requester.id, c.nowMs);
      c.emit({
        $case: "fileSendAnswered",
        fileSendAnswered: { requestId, allowed, actor: Actor.ACTOR_REP, actorId: requester.id },
      });
    });
  }
}
