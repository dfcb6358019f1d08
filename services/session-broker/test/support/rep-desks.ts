import { status, type ServiceError } from "@grpc/grpc-js";
import { asRep, type SessionBroker } from "@handoff/testing";
import type pg from "pg";

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const isStatus = (error: unknown, code: status) =>
  typeof error === "object" && error !== null && (error as ServiceError).code === code;

export interface RepDesksOptions {
  siteId: string;
  repIds: readonly string[];
  /** The replicas to call, chosen at random per call (may change while running, e.g. after a kill). */
  brokers: () => SessionBroker[];
  random: () => number;
  /**
   * How long a rep works on a session before ending it: [min, max] ms, or a choice made per session
   * (ms, or a promise that says when).
   */
  holdMs: readonly [number, number] | (() => number | Promise<void>);
  /** Pause between looks at PostgreSQL. @default 50 */
  pollMs?: number;
}

/**
 * Reps at their desks, as a test drives them: each looks (in PostgreSQL, as his console would show
 * it) for sessions offered to him, accepts them through a random broker replica, works on them for a
 * random while and ends them; a session he finds active for him that he did not accept himself (an
 * answer lost in a crash) is ended as well.
 */
export class RepDesks {
  accepted = 0;
  refused = 0;
  ended = 0;
  failures = 0;
  private running = false;
  private readonly loops = new Set<Promise<void>>();
  private readonly working = new Set<string>();
  /** Offers refused once (session/epoch) are not tried again: PostgreSQL may show them a while longer. */
  private readonly refusedOffers = new Set<string>();

  constructor(
    private readonly db: pg.Pool,
    private readonly options: RepDesksOptions,
  ) {}

  start(): void {
    this.running = true;
    for (const repId of this.options.repIds) this.track(this.desk(repId));
  }

  /** Stops looking for offers; sessions being worked on are still ended. */
  async stop(): Promise<void> {
    this.running = false;
    while (this.loops.size > 0) await Promise.all([...this.loops]);
  }

  private track(loop: Promise<void>): void {
    this.loops.add(loop);
    void loop.finally(() => this.loops.delete(loop));
  }

  private pick(): SessionBroker {
    const brokers = this.options.brokers();
    return brokers[Math.floor(this.options.random() * brokers.length)]!;
  }

  private async desk(repId: string): Promise<void> {
    const { siteId } = this.options;
    while (this.running) {
      try {
        const { rows } = await this.db.query<{ session_id: string; state: string; epoch: string }>(
          `select session_id, state, epoch from sessions
           where site_id = $1 and rep_id = $2 and state in ('offered', 'active')`,
          [siteId, repId],
        );
        for (const row of rows) {
          if (this.working.has(row.session_id)) continue;
          if (row.state === "offered" && !this.refusedOffers.has(`${row.session_id}/${row.epoch}`))
            await this.accept(repId, row.session_id, Number(row.epoch));
          else this.work(repId, row.session_id);
        }
      } catch {
        this.failures++;
      }
      await sleep(this.options.pollMs ?? 50);
    }
  }

  private async accept(repId: string, sessionId: string, epoch: number): Promise<void> {
    const { siteId } = this.options;
    try {
      await this.pick().acceptSessionOffer({ siteId, sessionId, repId, epoch });
      this.accepted++;
      this.work(repId, sessionId);
    } catch (error) {
      if (isStatus(error, status.FAILED_PRECONDITION)) {
        this.refused++;
        this.refusedOffers.add(`${sessionId}/${epoch}`);
      } else this.failures++;
    }
  }

  private work(repId: string, sessionId: string): void {
    const { siteId, holdMs, random } = this.options;
    this.working.add(sessionId);
    const hold = typeof holdMs === "function" ? holdMs() : holdMs[0] + random() * (holdMs[1] - holdMs[0]);
    const done = typeof hold === "number" ? sleep(hold) : hold;
    this.track(
      (async () => {
        await done;
        for (let attempt = 0; attempt < 20; attempt++) {
          try {
            await this.pick().closeSession({
              siteId,
              sessionId,
              requester: asRep(repId),
              reason: 0,
              abandonReason: 0,
            });
            this.ended++;
            break;
          } catch {
            await sleep(100);
          }
        }
        this.working.delete(sessionId);
      })(),
    );
  }
}
