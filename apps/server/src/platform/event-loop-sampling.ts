/**
 * How often the event-loop delay histogram behind `/metrics` samples (prom-client's
 * `eventLoopMonitoringPrecision`). Each value it records is the time between two samples, this
 * interval plus the delay, so an idle process reads about 10 ms: the delay is the reading minus it.
 */
export const EVENT_LOOP_SAMPLE_INTERVAL_MS = 10;
