import { readdir, readFile } from "node:fs/promises";

const PAGE_SIZE = 4096;

type ProcStat = { pid: number; ppid: number; command: string };

const readStat = async (pid: number): Promise<ProcStat | undefined> => {
  try {
    const text = await readFile(`/proc/${pid}/stat`, "utf8");
    // The command sits in parentheses and may itself contain spaces or parentheses.
    const open = text.indexOf("(");
    const close = text.lastIndexOf(")");
    const fields = text.slice(close + 2).split(" ");
    return { pid, ppid: Number(fields[1]), command: text.slice(open + 1, close) };
  } catch {
    return undefined;
  }
};

const listPids = async (): Promise<number[]> => {
  const entries = await readdir("/proc");
  return entries.filter((name) => /^\d+$/.test(name)).map(Number);
};

/** The process and all its descendants (children of children too), found through /proc/<pid>/stat. */
export const processTree = async (rootPid: number): Promise<ProcStat[]> => {
  const stats = (await Promise.all((await listPids()).map(readStat))).filter((stat) => stat !== undefined);
  const byParent = new Map<number, ProcStat[]>();
  for (const stat of stats) byParent.set(stat.ppid, [...(byParent.get(stat.ppid) ?? []), stat]);
  const root = stats.find((stat) => stat.pid === rootPid);
  if (!root) return [];
  const tree: ProcStat[] = [];
  const queue = [root];
  while (queue.length > 0 && tree.length < 10_000) {
    const next = queue.shift();
    if (!next) break;
    tree.push(next);
    queue.push(...(byParent.get(next.pid) ?? []));
  }
  return tree;
};

/** Resident set size in bytes; 0 when the process is gone. */
export const rssBytes = async (pid: number): Promise<number> => {
  try {
    const statm = await readFile(`/proc/${pid}/statm`, "utf8");
    return Number(statm.split(" ")[1]) * PAGE_SIZE;
  } catch {
    return 0;
  }
};

/** Proportional set size in bytes: shared pages split between their users, so a tree's PSS sums without double counting. */
export const pssBytes = async (pid: number): Promise<number> => {
  try {
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, "utf8");
    const match = /^Pss:\s+(\d+) kB/m.exec(rollup);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
};

export type TreeMemory = {
  processes: { pid: number; command: string; rss: number; pss: number }[];
  rss: number;
  pss: number;
};

export const treeMemory = async (rootPid: number): Promise<TreeMemory> => {
  const processes = await Promise.all(
    (await processTree(rootPid)).map(async ({ pid, command }) => ({
      pid,
      command,
      rss: await rssBytes(pid),
      pss: await pssBytes(pid),
    })),
  );
  return {
    processes,
    rss: processes.reduce((sum, process) => sum + process.rss, 0),
    pss: processes.reduce((sum, process) => sum + process.pss, 0),
  };
};

/** Processes other than this one whose command line contains `text` (for example a data folder). */
export const processesMentioning = async (text: string): Promise<{ pid: number; commandLine: string }[]> => {
  const found: { pid: number; commandLine: string }[] = [];
  for (const pid of await listPids()) {
    if (pid === process.pid) continue;
    try {
      const commandLine = (await readFile(`/proc/${pid}/cmdline`, "utf8")).split("\0").join(" ").trim();
      if (commandLine.includes(text)) found.push({ pid, commandLine });
    } catch {
      // The process ended while the list was read.
    }
  }
  return found;
};

export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM means it exists but belongs to another user (a postgres child, for example).
    return error instanceof Error && "code" in error && error.code === "EPERM";
  }
};
