import type { MetricAnchor, MetricDefinition } from "./metric-definition";

const QUEUE_INTERVAL = "queue (team queue or rep's personal queue) × 15-minute interval of the site's time zone";
/** The site's settings: its time zone and thresholds, which these figures are computed with. */
const SITE_SETTINGS = ["siteSettingsChanged"] as const;
const REP_INTERVAL = "rep × 15-minute interval (split at interval boundaries)";
const QUEUE_NOW = "queue, now";
const NO_ANSWER_OR_ABANDON = "answered + abandoned − short_abandoned is 0";

const connect = (api: "GetMetricDataV2" | "GetCurrentMetricData", metric: string, difference = ""): MetricAnchor => ({
  product: "Amazon Connect",
  api,
  metric,
  difference,
});
const twilio = (api: string, metric: string, difference = ""): MetricAnchor => ({
  product: "Twilio TaskRouter",
  api,
  metric,
  difference,
});
const genesys = (api: string, metric: string, difference = ""): MetricAnchor => ({
  product: "Genesys Cloud",
  api,
  metric,
  difference,
});

const TASKQUEUE_CUMULATIVE = "TaskQueue cumulative statistics";
const TASKQUEUE_REALTIME = "TaskQueue real-time statistics";
const WORKER_STATISTICS = "Worker statistics";
const GENESYS_AGGREGATES = "conversation aggregates";
const GENESYS_OBSERVATIONS = "queue observations";
const GENESYS_USER_AGGREGATES = "user aggregates";

/**
 * Every figure reporting serves: the one source of the metrics dictionary endpoint
 * (`GET /v1/metrics-dictionary`) and of METRICS-DICTIONARY.md. Definitions follow ../shared/METRICS.md
 * (the contract); where it left a choice open, the choice is stated in the definition.
 */
export const METRICS_DICTIONARY: readonly MetricDefinition[] = [
  {
    name: "queued",
    label: "Contacts queued (offered to the queue)",
    group: "Queue counts",
    definition:
      "Queue entries: every SessionQueued (one the acd marked `rebuilt` only when the session was in no queue and held by no rep) and every SessionTransferred into the queue, counted in the interval of that event. A session transferred twice counts three times.",
    unit: "{contact}",
    grain: QUEUE_INTERVAL,
    events: { routing: ["sessionQueued", "sessionTransferred"] },
    facts: ["queue_entries.entered_at_ms", "queue_entries.queue_kind", "queue_entries.queue_id"],
    anchors: [
      connect("GetMetricDataV2", "CONTACTS_QUEUED"),
      genesys(
        GENESYS_AGGREGATES,
        "nOffered",
        "Genesys names this 'offered'; a Handoff offer is one rep's reservation (offers_created)",
      ),
      twilio(TASKQUEUE_CUMULATIVE, "tasks_entered"),
    ],
  },
  {
    name: "answered",
    label: "Contacts answered",
    group: "Queue counts",
    definition: "Queue entries that ended with OfferAccepted, counted in the interval of the acceptance.",
    unit: "{contact}",
    grain: QUEUE_INTERVAL,
    events: { routing: ["offerAccepted"] },
    facts: ["queue_entries.outcome = 'answered'", "queue_entries.ended_at_ms"],
    anchors: [
      connect(
        "GetMetricDataV2",
        "CONTACTS_HANDLED",
        "Connect counts contacts an agent handled, by the time the contact was handled",
      ),
      genesys(GENESYS_AGGREGATES, "tAnswered (count)"),
      twilio(TASKQUEUE_CUMULATIVE, "reservations_accepted"),
    ],
  },
  {
    name: "answered_within_x",
    label: "Contacts answered within X",
    group: "Queue counts",
    definition:
      "Answered entries whose wait (acceptance − entry time) is at or below X; X is the site's service-level threshold (default 20 s), which a query may override; it is applied when read, so past days can be re-read with another X.",
    unit: "{contact}",
    grain: QUEUE_INTERVAL,
    events: { routing: ["sessionQueued", "sessionTransferred", "offerAccepted"], sites: SITE_SETTINGS },
    facts: ["queue_entries.wait_ms", "queue_entries.outcome = 'answered'"],
    anchors: [
      connect("GetMetricDataV2", "SUM_CONTACTS_ANSWERED_IN_X", "Connect's threshold is strictly below X seconds"),
      genesys(GENESYS_AGGREGATES, "nOverSla", "the complement: answered above the service level target"),
      twilio(TASKQUEUE_CUMULATIVE, "split_by_wait_time (reservations_accepted below the threshold)"),
    ],
  },
  {
    name: "abandoned",
    label: "Contacts abandoned (with short abandons)",
    group: "Queue counts",
    definition:
      "Queue entries that ended with SessionAbandoned (the customer left, was disconnected, timed out, kept his place and did not return after his callback — reason ABANDON_REASON_CUSTOMER_DID_NOT_RETURN —, or no rep was available), including an abandon while an offer was ringing, counted in the interval of the abandon.",
    unit: "{contact}",
    grain: QUEUE_INTERVAL,
    events: { routing: ["sessionAbandoned"] },
    facts: ["queue_entries.outcome = 'abandoned'", "queue_entries.ended_at_ms", "queue_entries.abandon_reason"],
    anchors: [
      connect("GetMetricDataV2", "CONTACTS_ABANDONED"),
      genesys(GENESYS_AGGREGATES, "tAbandon (count)"),
      twilio(TASKQUEUE_CUMULATIVE, "tasks_canceled"),
    ],
  },
  {
    name: "short_abandoned",
    label: "Short abandons",
    group: "Queue counts",
    definition:
      "Abandoned entries whose wait is strictly below the site's short-abandon threshold (default 5 s; a query may override it).",
    unit: "{contact}",
    grain: QUEUE_INTERVAL,
    events: { routing: ["sessionQueued", "sessionTransferred", "sessionAbandoned"], sites: SITE_SETTINGS },
    facts: ["queue_entries.wait_ms", "queue_entries.outcome = 'abandoned'"],
    anchors: [
      genesys(GENESYS_AGGREGATES, "tShortAbandon (count)"),
      connect(
        "GetMetricDataV2",
        "SUM_CONTACTS_ABANDONED_IN_X",
        "with X set to the threshold; Connect compares strictly below X too",
      ),
      twilio(TASKQUEUE_CUMULATIVE, "split_by_wait_time (tasks_canceled below the threshold)"),
    ],
  },
  {
    name: "abandoned_excluding_short",
    label: "Contacts abandoned (without short abandons)",
    group: "Queue counts",
    definition: "Abandons that count against the queue: those that waited at least the short-abandon threshold.",
    formula: "abandoned − short_abandoned",
    unit: "{contact}",
    grain: QUEUE_INTERVAL,
    events: { routing: ["sessionQueued", "sessionTransferred", "sessionAbandoned"], sites: SITE_SETTINGS },
    facts: ["queue_entries.wait_ms", "queue_entries.outcome = 'abandoned'"],
    anchors: [genesys(GENESYS_AGGREGATES, "tAbandon − tShortAbandon (counts)")],
  },
  {
    name: "offers_created",
    label: "Offers made",
    group: "Queue counts",
    definition:
      "Offers (one rep's reservation of the session, with a deadline) made for entries of the queue, counted in the interval of OfferCreated. Overflow offers to other teams count for the queue the entry is in.",
    unit: "{offer}",
    grain: `${QUEUE_INTERVAL}; also per rep`,
    events: { routing: ["offerCreated"] },
    facts: ["offers.created_at_ms", "offers.entry_no → queue_entries", "offers.rep_id"],
    anchors: [twilio(TASKQUEUE_CUMULATIVE, "reservations_created"), genesys(GENESYS_AGGREGATES, "tAlert (count)")],
  },
  {
    name: "offers_rejected",
    label: "Offers rejected",
    group: "Queue counts",
    definition: "Offers the rep declined (OfferRejected), counted in the interval of the rejection.",
    unit: "{offer}",
    grain: `${QUEUE_INTERVAL}; also per rep`,
    events: { routing: ["offerRejected"] },
    facts: ["offers.outcome = 'rejected'", "offers.ended_at_ms"],
    anchors: [
      twilio(TASKQUEUE_CUMULATIVE, "reservations_rejected"),
      connect("GetMetricDataV2", "AGENT_NON_RESPONSE", "Connect counts rejected and missed contacts together"),
    ],
  },
  {
    name: "offers_expired",
    label: "Offers timed out",
    group: "Queue counts",
    definition:
      "Offers whose deadline passed unanswered (OfferExpired); the rep is then not-responding until presence makes him routable again.",
    unit: "{offer}",
    grain: `${QUEUE_INTERVAL}; also per rep`,
    events: { routing: ["offerExpired"] },
    facts: ["offers.outcome = 'expired'", "offers.ended_at_ms"],
    anchors: [
      twilio(TASKQUEUE_CUMULATIVE, "reservations_timed_out"),
      genesys(GENESYS_AGGREGATES, "tNotResponding (count)"),
      connect(
        "GetMetricDataV2",
        "AGENT_NON_RESPONSE_WITHOUT_CUSTOMER_ABANDONS",
        "Connect counts rejected and missed contacts together",
      ),
    ],
  },
  {
    name: "offers_withdrawn",
    label: "Offers withdrawn",
    group: "Queue counts",
    definition:
      "Offers taken back because the rep lost his last connection or his routable capacity while it rang (OfferWithdrawn). An offer still ringing when the customer abandons has the outcome 'abandoned' and no other.",
    unit: "{offer}",
    grain: `${QUEUE_INTERVAL}; also per rep`,
    events: { routing: ["offerWithdrawn"] },
    facts: ["offers.outcome = 'withdrawn'", "offers.ended_at_ms"],
    anchors: [
      twilio(
        TASKQUEUE_CUMULATIVE,
        "reservations_rescinded",
        "Twilio rescinds the other reservations of a multi-reservation task",
      ),
    ],
  },
  {
    name: "transfers_in",
    label: "Transfers in",
    group: "Queue counts",
    definition:
      "SessionTransferred events into the queue (also counted in queued). The acd emits it for a rep's transfer and for a requeue (the rep left or disconnected, or an accept could not be committed), and does not say which: both count.",
    unit: "{transfer}",
    grain: QUEUE_INTERVAL,
    events: { routing: ["sessionTransferred"] },
    facts: ["queue_entries.cause = 'transferred'", "queue_entries.entered_at_ms"],
    anchors: [connect("GetMetricDataV2", "CONTACTS_TRANSFERRED_IN"), twilio(TASKQUEUE_CUMULATIVE, "tasks_moved")],
  },
  {
    name: "transfers_out",
    label: "Transfers out",
    group: "Queue counts",
    definition:
      "Rep parts that ended with SessionTransferred, counted for the queue the part was answered from, in the interval of the transfer.",
    unit: "{transfer}",
    grain: `${QUEUE_INTERVAL}; also per rep`,
    events: { routing: ["offerAccepted", "sessionTransferred"] },
    facts: [
      "handled_parts.end_cause = 'transferred'",
      "handled_parts.ended_at_ms",
      "handled_parts.entry_no → queue_entries",
    ],
    anchors: [connect("GetMetricDataV2", "CONTACTS_TRANSFERRED_OUT"), genesys(GENESYS_AGGREGATES, "nTransferred")],
  },
  {
    name: "service_level",
    label: "Service level within X",
    group: "Queue ratios and times",
    definition:
      "Share of the queue's contacts answered within X, leaving short abandons out of the denominator (X and the short-abandon threshold are the site's settings, default 20 s and 5 s).",
    formula: "answered_within_x ÷ (answered + abandoned − short_abandoned)",
    unit: "1",
    grain: QUEUE_INTERVAL,
    nullWhen: NO_ANSWER_OR_ABANDON,
    events: {
      routing: ["sessionQueued", "sessionTransferred", "offerAccepted", "sessionAbandoned"],
      sites: SITE_SETTINGS,
    },
    facts: ["queue_entries.wait_ms", "queue_entries.outcome"],
    anchors: [
      connect(
        "GetMetricDataV2",
        "SERVICE_LEVEL",
        "Connect divides by contacts removed from the queue, short abandons included",
      ),
      genesys(
        GENESYS_AGGREGATES,
        "oServiceLevel",
        "Genesys includes short abandons unless the service level target excludes them",
      ),
    ],
  },
  {
    name: "abandon_rate",
    label: "Abandon rate",
    group: "Queue ratios and times",
    definition: "Share of the queue's contacts that abandoned after the short-abandon threshold.",
    formula: "(abandoned − short_abandoned) ÷ (answered + abandoned − short_abandoned)",
    unit: "1",
    grain: QUEUE_INTERVAL,
    nullWhen: NO_ANSWER_OR_ABANDON,
    events: {
      routing: ["sessionQueued", "sessionTransferred", "offerAccepted", "sessionAbandoned"],
      sites: SITE_SETTINGS,
    },
    facts: ["queue_entries.wait_ms", "queue_entries.outcome"],
    anchors: [
      connect("GetMetricDataV2", "ABANDONMENT_RATE", "Connect divides all abandons by contacts queued"),
      genesys(GENESYS_AGGREGATES, "tAbandon ÷ nOffered", "Genesys divides by contacts offered to the queue"),
    ],
  },
  {
    name: "asa_ms",
    label: "Average speed of answer",
    group: "Queue ratios and times",
    definition:
      "Mean wait of the entries answered in the interval. The wait runs from the entry (the acd's enqueue time for SessionQueued, the transfer time for a transfer) to OfferAccepted, ringing included; overflow does not restart it.",
    formula: "Σ wait_ms of answered entries ÷ answered",
    unit: "ms",
    grain: QUEUE_INTERVAL,
    nullWhen: "answered is 0",
    events: { routing: ["sessionQueued", "sessionTransferred", "offerAccepted"] },
    facts: ["queue_entries.wait_ms", "queue_entries.outcome = 'answered'"],
    anchors: [
      connect("GetMetricDataV2", "AVG_QUEUE_ANSWER_TIME"),
      genesys(GENESYS_AGGREGATES, "tAnswered (average)"),
      twilio(
        TASKQUEUE_CUMULATIVE,
        "wait_duration_until_accepted.avg",
        "Twilio measures from task creation, not per queue entry",
      ),
    ],
  },
  {
    name: "asa_p50_ms",
    label: "Speed of answer, median",
    group: "Queue ratios and times",
    definition: "Nearest-rank 50th percentile of the waits of the entries answered in the interval.",
    unit: "ms",
    grain: QUEUE_INTERVAL,
    nullWhen: "answered is 0",
    events: { routing: ["sessionQueued", "sessionTransferred", "offerAccepted"] },
    facts: ["queue_entries.wait_ms", "queue_entries.outcome = 'answered'"],
    anchors: [],
  },
  {
    name: "asa_p90_ms",
    label: "Speed of answer, 90th percentile",
    group: "Queue ratios and times",
    definition: "Nearest-rank 90th percentile of the waits of the entries answered in the interval.",
    unit: "ms",
    grain: QUEUE_INTERVAL,
    nullWhen: "answered is 0",
    events: { routing: ["sessionQueued", "sessionTransferred", "offerAccepted"] },
    facts: ["queue_entries.wait_ms", "queue_entries.outcome = 'answered'"],
    anchors: [],
  },
  {
    name: "aht_ms",
    label: "Average handle time",
    group: "Queue ratios and times",
    definition:
      "Mean length of the rep parts that ended in the interval: each acceptance until that rep's part ends (SessionEnded, or SessionTransferred away from him); counted for the rep and for the queue entry the part was answered from.",
    formula: "Σ (part end − acceptance) ÷ parts ended",
    unit: "ms",
    grain: `${QUEUE_INTERVAL}; also per rep`,
    nullWhen: "no part ended in the interval",
    events: { routing: ["offerAccepted", "sessionEnded", "sessionTransferred"] },
    facts: ["handled_parts.accepted_at_ms", "handled_parts.ended_at_ms", "handled_parts.entry_no → queue_entries"],
    anchors: [
      connect(
        "GetMetricDataV2",
        "AVG_HANDLE_TIME",
        "Connect adds hold and after-contact work, which Handoff does not have",
      ),
      genesys(GENESYS_AGGREGATES, "tHandle (average)"),
    ],
  },
  {
    name: "offer_accept_rate",
    label: "Offer accept rate",
    group: "Queue ratios and times",
    definition: "Share of offers made in the interval that were accepted.",
    formula: "offers accepted ÷ offers_created",
    unit: "1",
    grain: `${QUEUE_INTERVAL}; also per rep`,
    nullWhen: "offers_created is 0",
    events: { routing: ["offerCreated", "offerAccepted"] },
    facts: ["offers.outcome = 'accepted'", "offers.created_at_ms"],
    anchors: [
      connect("GetMetricDataV2", "AGENT_ANSWER_RATE"),
      twilio(TASKQUEUE_CUMULATIVE, "reservations_accepted ÷ reservations_created"),
    ],
  },
  {
    name: "csat",
    label: "Customer satisfaction",
    group: "Queue ratios and times",
    definition:
      "Mean satisfaction (1–5) of the exit surveys submitted in the interval, reported for the queue of the session's last entry.",
    unit: "{score}",
    grain: QUEUE_INTERVAL,
    nullWhen: "no survey was submitted",
    events: { sessions: ["surveySubmitted"], routing: ["sessionQueued", "sessionTransferred"] },
    facts: ["surveys.satisfaction", "surveys.submitted_at_ms", "surveys.queue_kind", "surveys.queue_id"],
    anchors: [],
  },
  {
    name: "csat_top2",
    label: "Customer satisfaction, top two boxes",
    group: "Queue ratios and times",
    definition: "Share of the same surveys answering 4 or 5.",
    unit: "1",
    grain: QUEUE_INTERVAL,
    nullWhen: "no survey was submitted",
    events: { sessions: ["surveySubmitted"], routing: ["sessionQueued", "sessionTransferred"] },
    facts: ["surveys.satisfaction", "surveys.submitted_at_ms", "surveys.queue_kind", "surveys.queue_id"],
    anchors: [],
  },
  {
    name: "waiting",
    label: "Contacts waiting now",
    group: "Real time",
    definition: "Queue entries not yet answered, abandoned or requeued (ringing offers included).",
    unit: "{contact}",
    grain: QUEUE_NOW,
    events: { routing: ["sessionQueued", "sessionTransferred", "offerAccepted", "sessionAbandoned"] },
    facts: ["queue_entries.outcome is null"],
    anchors: [
      connect("GetCurrentMetricData", "CONTACTS_IN_QUEUE"),
      genesys(GENESYS_OBSERVATIONS, "oWaiting", "Genesys counts ringing (oAlerting) apart"),
      twilio(TASKQUEUE_REALTIME, "tasks_by_status (pending + reserved)"),
    ],
  },
  {
    name: "longest_wait_ms",
    label: "Longest current wait",
    group: "Real time",
    definition: "Now − entry time of the oldest queue entry still waiting.",
    unit: "ms",
    grain: QUEUE_NOW,
    nullWhen: "nothing is waiting",
    events: { routing: ["sessionQueued", "sessionTransferred", "offerAccepted", "sessionAbandoned"] },
    facts: ["queue_entries.wait_started_at_ms", "queue_entries.outcome is null"],
    anchors: [
      connect("GetCurrentMetricData", "OLDEST_CONTACT_AGE"),
      genesys(GENESYS_OBSERVATIONS, "oLongestWaiting"),
      twilio(TASKQUEUE_REALTIME, "longest_task_waiting_age"),
    ],
  },
  {
    name: "reps_by_state",
    label: "Reps available, busy and away now",
    group: "Real time",
    definition:
      "Reps logged in to the team by their current presence state (each rep's latest RepStateChanged), and among the available ones those holding at least one accepted session.",
    unit: "{rep}",
    grain: "team × state, now",
    events: {
      presence: ["repStateChanged", "repLoggedIn", "repLoggedOut"],
      routing: ["offerAccepted", "sessionEnded", "sessionTransferred"],
    },
    facts: ["rep_state_changes (latest per rep)", "rep_profile_changes.team_ids", "handled_parts.ended_at_ms is null"],
    anchors: [
      connect("GetCurrentMetricData", "AGENTS_AVAILABLE, AGENTS_ON_CONTACT, AGENTS_NON_PRODUCTIVE"),
      genesys(GENESYS_OBSERVATIONS, "oOnQueueUsers, oUserRoutingStatuses"),
      twilio(TASKQUEUE_REALTIME, "total_available_workers, activity_statistics"),
    ],
  },
  {
    name: "state_ms",
    label: "Rep state durations",
    group: "Reps",
    definition:
      "Time in each presence state and reason code (available, away:<reason>, busy, offline:<reason>), from the rep's state changes, split at interval boundaries. Each RepStateChanged closes the previous state's interval with the duration it carries.",
    unit: "ms",
    grain: `${REP_INTERVAL} × state × reason`,
    events: { presence: ["repStateChanged"] },
    facts: [
      "rep_state_changes.previous_state",
      "rep_state_changes.previous_reason_code",
      "rep_state_changes.previous_started_at_ms",
      "rep_state_changes.changed_at_ms",
    ],
    anchors: [
      genesys(GENESYS_USER_AGGREGATES, "tAgentRoutingStatus, tOrganizationPresence"),
      twilio(WORKER_STATISTICS, "activity_durations"),
      connect("GetMetricDataV2", "SUM_NON_PRODUCTIVE_TIME_AGENT", "only the non-productive part"),
    ],
  },
  {
    name: "staffed_ms",
    label: "Staffed time",
    group: "Reps",
    definition:
      "Time logged in and not offline: available, away and busy count; offline for any reason, including a lost connection, does not.",
    unit: "ms",
    grain: REP_INTERVAL,
    events: { presence: ["repStateChanged"] },
    facts: [
      "rep_state_changes.previous_state",
      "rep_state_changes.previous_started_at_ms",
      "rep_state_changes.changed_at_ms",
    ],
    anchors: [connect("GetMetricDataV2", "SUM_ONLINE_TIME_AGENT")],
  },
  {
    name: "engaged_ms",
    label: "Engaged time",
    group: "Reps",
    definition:
      "Time holding at least one accepted session, whatever the presence state (overlapping sessions count once).",
    unit: "ms",
    grain: REP_INTERVAL,
    events: { routing: ["offerAccepted", "sessionEnded", "sessionTransferred"] },
    facts: ["handled_parts.accepted_at_ms", "handled_parts.ended_at_ms", "handled_parts.rep_id"],
    anchors: [connect("GetMetricDataV2", "SUM_CONTACT_TIME_AGENT")],
  },
  {
    name: "available_idle_ms",
    label: "Available idle time",
    group: "Reps",
    definition: "Time available with no accepted session; ringing time is idle.",
    unit: "ms",
    grain: REP_INTERVAL,
    events: { presence: ["repStateChanged"], routing: ["offerAccepted", "sessionEnded", "sessionTransferred"] },
    facts: ["rep_state_changes", "handled_parts"],
    anchors: [connect("GetMetricDataV2", "SUM_IDLE_TIME_AGENT")],
  },
  {
    name: "occupancy",
    label: "Occupancy",
    group: "Reps",
    definition: "Share of a rep's productive time spent holding sessions.",
    formula: "engaged_ms ÷ (engaged_ms + available_idle_ms)",
    unit: "1",
    grain: `${REP_INTERVAL}; also per team`,
    nullWhen: "engaged_ms + available_idle_ms is 0",
    events: { presence: ["repStateChanged"], routing: ["offerAccepted", "sessionEnded", "sessionTransferred"] },
    facts: ["rep_state_changes", "handled_parts"],
    anchors: [connect("GetMetricDataV2", "AGENT_OCCUPANCY")],
  },
  {
    name: "load_ms",
    label: "Session load",
    group: "Reps",
    definition: "Σ over the rep's accepted sessions of their active time; a multi-session rep exceeds wall time.",
    unit: "ms",
    grain: REP_INTERVAL,
    events: { routing: ["offerAccepted", "sessionEnded", "sessionTransferred"] },
    facts: ["handled_parts.accepted_at_ms", "handled_parts.ended_at_ms", "handled_parts.rep_id"],
    anchors: [],
  },
  {
    name: "ewt_abs_error_ms",
    label: "Estimated wait: mean absolute error",
    group: "Handoff's own",
    definition:
      "Over the estimates shown to customers that were known (one observation per WaitEstimated) in entries later answered: mean of |remaining wait − estimated P50|, where the remaining wait runs from the estimate to the answer; counted in the interval of the answer, per queue.",
    formula: "mean |(answered_at − given_at) − p50|",
    unit: "ms",
    grain: QUEUE_INTERVAL,
    nullWhen: "no known estimate of an answered entry",
    events: { routing: ["waitEstimated", "sessionQueued", "sessionTransferred", "offerAccepted"] },
    facts: [
      "wait_estimates.given_at_ms",
      "wait_estimates.p50_ms",
      "wait_estimates.known",
      "wait_estimates.answered_at_ms",
    ],
    anchors: [],
  },
  {
    name: "ewt_p90_coverage",
    label: "Estimated wait: P90 coverage",
    group: "Handoff's own",
    definition:
      "Share of the same observations whose remaining wait is at or below the estimated P90 (well calibrated ≈ 0.9).",
    unit: "1",
    grain: QUEUE_INTERVAL,
    nullWhen: "no known estimate of an answered entry",
    events: { routing: ["waitEstimated", "sessionQueued", "sessionTransferred", "offerAccepted"] },
    facts: [
      "wait_estimates.given_at_ms",
      "wait_estimates.p90_ms",
      "wait_estimates.known",
      "wait_estimates.answered_at_ms",
    ],
    anchors: [],
  },
  {
    name: "fairness_offers_cv",
    label: "Routing fairness: spread of offers",
    group: "Handoff's own",
    definition:
      "Among reps with the same teams and skills who were staffed in the interval: coefficient of variation (population standard deviation ÷ mean) of offers per staffed hour; 0 for a group of one.",
    unit: "1",
    grain: "group of equally skilled reps × interval",
    nullWhen: "a group of two or more reps made no offers",
    events: {
      routing: ["offerCreated"],
      presence: ["repStateChanged", "repLoggedIn", "repLoggedOut", "repCapacitySet"],
    },
    facts: ["offers.rep_id", "offers.created_at_ms", "rep_state_changes", "rep_profile_changes"],
    anchors: [],
  },
  {
    name: "fairness_idle_spread_ms",
    label: "Routing fairness: spread of idle time before an offer",
    group: "Handoff's own",
    definition:
      "Among the same reps: p90 − p10 (nearest rank), over the group's offers, of the continuous time each rep had been available with no accepted session before the offer.",
    unit: "ms",
    grain: "group of equally skilled reps × interval",
    nullWhen: "the group made no offers",
    events: {
      routing: ["offerCreated", "offerAccepted", "sessionEnded", "sessionTransferred"],
      presence: ["repStateChanged", "repLoggedIn", "repLoggedOut", "repCapacitySet"],
    },
    facts: ["offers", "handled_parts", "rep_state_changes", "rep_profile_changes"],
    anchors: [],
  },
];
