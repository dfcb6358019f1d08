-- appendEvent: the transactional outbox. The event is written by the same script that changed the
-- state; the relay forwards the stream to Kafka. Fields: t type, s session id, e epoch, at ms, d JSON,
-- tp the caller's W3C traceparent (the store passes it as the last ARGV of every script).
local TRACEPARENT = ARGV[#ARGV]
local function appendEvent(eventType, sessionId, epoch, at, payload)
  rcall("XADD", P .. "ob", "*", "t", eventType, "s", sessionId, "e", epoch, "at", at, "d", cjson.encode(payload),
    "tp", TRACEPARENT)
end
