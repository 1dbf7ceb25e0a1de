import { describe, expect, it } from "vitest";
import { EVENT_LOOP_SAMPLE_INTERVAL_MS } from "./event-loop-sampling.ts";
import { metricsRegistry } from "./metrics.ts";

/** One scrape, as `/metrics` does it: every collector runs, and the delay histogram starts over. */
const scrape = async (): Promise<Map<string, number>> => {
  const metrics = await metricsRegistry.getMetricsAsJSON();
  return new Map(metrics.flatMap((metric) => (metric.values[0] ? [[metric.name, metric.values[0].value]] : [])));
};

describe("event-loop delay metrics", () => {
  // The bench subtracts the interval from the histogram's p99 (B10); that holds only while each
  // recorded value includes the interval, which a Node upgrade could change.
  it("record the sampling interval plus the delay, so an idle loop reads at least the interval", async () => {
    await scrape();
    await new Promise((resolve) => setTimeout(resolve, 30 * EVENT_LOOP_SAMPLE_INTERVAL_MS));
    const idleP50Ms = (await scrape()).get("parley_nodejs_eventloop_lag_p50_seconds");
    if (idleP50Ms === undefined) throw new Error("no event-loop p50 in the scrape");
    // Were only the delay recorded, an idle loop would read well under a millisecond. No upper
    // bound: a busy test machine may delay the timer, which is what the metric is for.
    expect(idleP50Ms * 1000).toBeGreaterThanOrEqual(EVENT_LOOP_SAMPLE_INTERVAL_MS * 0.9);
  });
});
