-- Rate limits, counted where every instance counts: per key (`create:ADDRESS`, `login:ADDRESS`,
-- `device:ID`), the events of a window that starts with the first event after the last one
-- ended. One upsert counts an event, atomically in both backends.
CREATE TABLE rate_counters (
    key           TEXT PRIMARY KEY,
    window_start  BIGINT NOT NULL,
    events        BIGINT NOT NULL
);
CREATE INDEX rate_counters_start ON rate_counters (window_start);
