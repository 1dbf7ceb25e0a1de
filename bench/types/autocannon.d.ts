// autocannon ships no types and @types/autocannon is not installed: only what the bench uses.
declare module "autocannon" {
  export type Histogram = {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    total: number;
    p50: number;
    p90: number;
    p99: number;
  };

  export type Options = {
    url: string;
    connections?: number;
    duration?: number;
    pipelining?: number;
    timeout?: number;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    warmup?: { connections?: number; duration?: number };
    /** Request templates cycled per connection; `setupRequest` may rewrite each one before it is sent. */
    requests?: Array<{
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string;
      setupRequest?: (request: RequestTemplate) => RequestTemplate;
    }>;
  };

  export type RequestTemplate = { method?: string; path?: string; headers?: Record<string, string>; body?: string };

  export type Result = {
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    "2xx": number;
    requests: Histogram & { sent: number };
    latency: Histogram & { totalCount: number };
    throughput: Histogram;
  };

  export type Instance = PromiseLike<Result> & {
    stop: () => void;
    on: (
      event: "response",
      listener: (client: unknown, statusCode: number, responseBytes: number, responseTimeMs: number) => void,
    ) => Instance;
  };

  const autocannon: (options: Options) => Instance;
  export default autocannon;
}
