/** One budget bar: `value op limit` must hold. Ratios against a baseline are checks too. */
export type Check = {
  name: string;
  value: number;
  unit: string;
  op: "<=" | ">=";
  limit: number;
};

export type ItemResult = {
  /** The figures as printed on the item's line, without the verdict. */
  figures: string;
  /** Every measured number, in base units (ms, bytes, per second), for the JSON file. */
  metrics: Record<string, number>;
  /** Budget bars from BENCHMARKS.md; empty for baselines. */
  checks: Check[];
  /** Ratios against baselines of the same run; each is also a bar when BENCHMARKS.md sets one. */
  ratios: Check[];
  /** Extra facts for the JSON file only (parameters, raw tool output). */
  details?: Record<string, unknown>;
};

export type BenchContext = {
  repoRoot: string;
  /** Results of the baselines measured earlier in this run, by id. */
  baselines: ReadonlyMap<string, ItemResult>;
  /** Progress for humans, on stderr; results go to the table and the JSON file. */
  log: (message: string) => void;
};

export type BenchItem = {
  id: string;
  kind: "baseline" | "budget";
  title: string;
  /** Baseline ids this budget's ratios need; they are measured first even when only this item is chosen. */
  needs: readonly string[];
  run: (context: BenchContext) => Promise<ItemResult>;
};

export const isWithin = (check: Check): boolean => (check.op === "<=" ? check.value <= check.limit : check.value >= check.limit);

/** A figure from a baseline measured earlier in this run; throws if that baseline is missing or failed. */
export const baselineMetric = (context: BenchContext, baselineId: string, metric: string): number => {
  const value = context.baselines.get(baselineId)?.metrics[metric];
  if (value === undefined || !Number.isFinite(value)) {
    throw new Error(`baseline ${baselineId} has no ${metric} in this run (did it fail?)`);
  }
  return value;
};
