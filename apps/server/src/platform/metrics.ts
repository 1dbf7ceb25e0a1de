import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { EVENT_LOOP_SAMPLE_INTERVAL_MS } from "./event-loop-sampling.ts";

/** One registry per process; `/metrics` renders it for Prometheus. */
export const metricsRegistry = new Registry();
collectDefaultMetrics({
  register: metricsRegistry,
  prefix: "parley_",
  eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_INTERVAL_MS,
});

export const httpRequestDuration = new Histogram({
  name: "parley_http_request_duration_seconds",
  help: "HTTP request duration by route and status",
  labelNames: ["method", "route", "status"] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});

export const socketConnections = new Gauge({
  name: "parley_socket_connections",
  help: "Open Socket.IO connections by namespace",
  labelNames: ["namespace"] as const,
  registers: [metricsRegistry],
});

export const jobsCompleted = new Counter({
  name: "parley_jobs_completed_total",
  help: "Jobs that ran to completion",
  labelNames: ["task"] as const,
  registers: [metricsRegistry],
});

export const jobsFailed = new Counter({
  name: "parley_jobs_failed_total",
  help: "Job attempts that failed; final=true when the job went to dead letters",
  labelNames: ["task", "final"] as const,
  registers: [metricsRegistry],
});
