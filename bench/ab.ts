/**
 * A/B of a benchmark: runs one npm script in a baseline checkout (a git worktree of another commit) and in this one,
 * in alternating rounds, and compares the JSON line each run prints last.
 *   npm run bench:ab -- --base <commit> [--base-dir DIR] [--rounds 3] [--keys a,b,c] -- <script> [its arguments]
 *   e.g. flock /tmp/heavy.lock npm run bench:ab -- --base 866c2a3 -- bench:webhooks --skip c,e,s --json
 * The baseline is the worktree at --base-dir, else any detached worktree of the repository at that commit, else a
 * new one beside this checkout (`../baseline-<commit>`: `git worktree add`, `npm ci`, `.tools` linked to ours). An
 * existing worktree is only read and run, never changed. Round r runs the baseline first when r is even, this
 * checkout first when odd, so drift from other load on the machine falls on both alike. Printed: each round's
 * figures, then per figure the medians and the median of the per-round ratios (this ÷ baseline); the last line is
 * one JSON object of all of it. Each run's own output is kept under .run/ab/<run>/. The script must print a JSON
 * object as its last line (`--json` for the benchmarks here); --keys picks the figures compared (default: every
 * top-level number both sides print).
 * Benchmarks take the machine's heavy-job lock: run this under it, not the other way round.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, realpathSync, symlinkSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

interface Side {
  name: 'baseline' | 'this';
  dir: string;
  commit: string;
  runs: Record<string, number>[];
}

interface Options {
  base: string;
  baseDir?: string;
  rounds: number;
  keys?: string[];
  script: string;
  args: string[];
}

export function parseArgs(argv: string[]): Options {
  const split = argv.indexOf('--');
  const own = split < 0 ? argv : argv.slice(0, split);
  const [script, ...args] = split < 0 ? [] : argv.slice(split + 1);
  const value = (name: string) => {
    const i = own.indexOf(`--${name}`);
    return i >= 0 ? own[i + 1] : undefined;
  };
  const base = value('base');
  if (!base || !script)
    throw new Error(
      'usage: npm run bench:ab -- --base <commit> [--base-dir DIR] [--rounds N] [--keys a,b] -- <script> [args]',
    );
  const rounds = Number(value('rounds') ?? 3);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds takes a whole number of at least 1');
  return { base, baseDir: value('base-dir'), rounds, keys: value('keys')?.split(','), script, args };
}

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

/** The checkout of `commit` to run the baseline in: given, found among the worktrees, or made. */
function baselineCheckout(commit: string, baseDir?: string): string {
  if (baseDir && existsSync(baseDir)) return checkedOut(baseDir, commit);
  if (!baseDir) {
    const found = git(ROOT, 'worktree', 'list', '--porcelain')
      .split('\n\n')
      .map((block) => ({
        dir: /^worktree (.*)$/m.exec(block)?.[1],
        head: /^HEAD (.*)$/m.exec(block)?.[1],
        detached: /^detached$/m.test(block),
      }))
      // A detached worktree only: a branch's checkout (main's included) may move under the run.
      .find((w) => w.dir && w.head === commit && w.detached && path.resolve(w.dir) !== ROOT && !isDirty(w.dir));
    if (found?.dir && existsSync(path.join(found.dir, 'node_modules'))) return found.dir;
  }
  const dir = baseDir ?? path.resolve(ROOT, '..', `baseline-${commit.slice(0, 7)}`);
  console.error(`making a baseline worktree for ${commit.slice(0, 7)} at ${dir} (git worktree add, npm ci)`);
  git(ROOT, 'worktree', 'add', '--detach', dir, commit);
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  const tools = path.join(ROOT, '.tools');
  if (existsSync(tools) && !existsSync(path.join(dir, '.tools')))
    symlinkSync(realpathSync(tools), path.join(dir, '.tools'));
  return dir;
}

function isDirty(dir: string): boolean {
  try {
    return git(dir, 'status', '--porcelain', '--untracked-files=no') !== '';
  } catch {
    return true;
  }
}

function checkedOut(dir: string, commit: string): string {
  const head = git(dir, 'rev-parse', 'HEAD');
  if (head !== commit) throw new Error(`${dir} has ${head.slice(0, 7)} checked out, not ${commit.slice(0, 7)}`);
  if (!existsSync(path.join(dir, 'node_modules'))) throw new Error(`${dir} has no node_modules: run npm ci there`);
  return dir;
}

/** Runs the script in `dir`; its output goes to `log`; the JSON object on its last line of stdout. */
function runOnce(dir: string, script: string, args: string[], log: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(log);
    const child = spawn('npm', ['run', '--silent', script, '--', ...args], {
      cwd: dir,
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      out.write(chunk);
    });
    child.stderr.pipe(out, { end: false });
    child.on('error', reject);
    child.on('close', (code) => {
      out.end();
      const last = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`${script} in ${dir} exited with ${code}; see ${log}`));
      try {
        resolve(JSON.parse(last) as Record<string, unknown>);
      } catch {
        reject(new Error(`${script} in ${dir} did not end with a JSON line; see ${log}`));
      }
    });
  });
}

const numbers = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter((e): e is [string, number] => typeof e[1] === 'number'));

export function median(values: number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round3 = (x: number) => (Number.isFinite(x) ? Math.round(x * 1000) / 1000 : null);

/** Per figure: both sides' rounds and medians, and the median of the per-round ratios (this ÷ baseline). */
export function compare(base: Record<string, number>[], here: Record<string, number>[], keys?: string[]) {
  const chosen =
    keys ?? Object.keys(base[0] ?? {}).filter((k) => base.every((r) => k in r) && here.every((r) => k in r));
  return Object.fromEntries(
    chosen.map((key) => {
      const b = base.map((r) => r[key] ?? NaN);
      const h = here.map((r) => r[key] ?? NaN);
      return [
        key,
        {
          baseline: b.map(round3),
          this: h.map(round3),
          baseline_median: round3(median(b)),
          this_median: round3(median(h)),
          ratio: round3(median(h.map((x, i) => x / b[i]!))),
        },
      ];
    }),
  );
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const baseCommit = git(ROOT, 'rev-parse', `${options.base}^{commit}`);
  const sides: Side[] = [
    { name: 'baseline', dir: baselineCheckout(baseCommit, options.baseDir), commit: baseCommit.slice(0, 7), runs: [] },
    { name: 'this', dir: ROOT, commit: git(ROOT, 'rev-parse', '--short=7', 'HEAD'), runs: [] },
  ];
  if (isDirty(ROOT)) sides[1]!.commit += '+changes';
  const logs = path.join(ROOT, '.run', 'ab', randomBytes(3).toString('hex'));
  mkdirSync(logs, { recursive: true });
  console.error(`A/B: ${options.script} ${options.args.join(' ')}; ${options.rounds} rounds; logs in ${logs}`);
  for (let r = 0; r < options.rounds; r++) {
    for (const side of r % 2 === 0 ? sides : [...sides].reverse()) {
      const started = performance.now();
      const log = path.join(logs, `${side.name}-${r}.log`);
      const figures = numbers(await runOnce(side.dir, options.script, options.args, log));
      side.runs.push(figures);
      const shown = options.keys ?? Object.keys(figures).slice(0, 8);
      const summary = shown.map((k) => `${k}=${figures[k] ?? '-'}`).join(' ');
      console.error(
        `round ${r} ${side.name} (${side.commit}, ${Math.round((performance.now() - started) / 1000)} s): ${summary}`,
      );
    }
  }
  const [base, here] = sides as [Side, Side];
  const figures = compare(base.runs, here.runs, options.keys);
  console.table(
    Object.entries(figures).map(([figure, f]) => ({
      figure,
      [`baseline ${base.commit}`]: f.baseline.join(' '),
      [`this ${here.commit}`]: f.this.join(' '),
      'baseline median': f.baseline_median,
      'this median': f.this_median,
      'ratio (this ÷ baseline, per round)': f.ratio,
    })),
  );
  const result = {
    command: [options.script, ...options.args].join(' '),
    rounds: options.rounds,
    baseline: { commit: base.commit, dir: base.dir },
    this: { commit: here.commit, dir: here.dir },
    figures,
  };
  console.log(JSON.stringify(result));
}

if (require.main === module)
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
