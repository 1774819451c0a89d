import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { Client } from 'pg';
import { loadConfig } from '../infra/config';
import { migrate } from '../infra/migrator';
import type { WORKFLOW_BUNDLE_OPTIONS } from '../infra/workflow-bundle';
import { startDevServer } from './support/dev-server';

/** Shared set-up for benchmarks and the chaos run: scratch databases, a private dev server, child processes. */
export const ROOT = path.resolve(__dirname, '..');
/** The server of DATABASE_URL, through its `postgres` database (scratch databases are created next to ours). */
const ADMIN_URL =
  process.env.BENCH_DATABASE_ADMIN_URL ??
  Object.assign(new URL(loadConfig().DATABASE_URL), { pathname: '/postgres' }).toString();

export interface ScratchDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

async function admin(statement: string): Promise<void> {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** A fresh database, migrated unless told not to (a worker migrates it on start), dropped by `drop()`. */
export async function scratchDatabase(prefix: string, migrated = true): Promise<ScratchDatabase> {
  const name = `${prefix}_${process.pid}_${randomBytes(3).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  if (migrated) await migrate(url.toString());
  return { url: url.toString(), name, drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** A private Temporal dev server (the CLI from scripts/setup-temporal.sh) on free ports, or the one at TEMPORAL_ADDRESS when given. */
export async function temporalServer(existingAddress?: string): Promise<{ address: string; stop(): Promise<void> }> {
  if (existingAddress) return { address: existingAddress, stop: async () => undefined };
  const env = await startDevServer();
  return { address: env.address, stop: () => env.teardown() };
}

/**
 * Runs a TypeScript entry point (worker.ts, api/server.ts) as one real node process, so SIGKILL kills it; from this
 * checkout, or from `checkout` (another commit's worktree).
 */
export function startNodeProcess(
  entry: string,
  env: Record<string, string>,
  extraNodeArgs: string[] = [],
  checkout = ROOT,
): ChildProcess {
  return spawn(process.execPath, [...extraNodeArgs, '--import', 'tsx', path.join(checkout, entry)], {
    cwd: checkout,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error };

/**
 * How a checkout bundles its workflows (its own `infra/workflow-bundle.ts`; none for a commit from before it), so
 * another commit's worker is measured with the bundle its own worker would build.
 */
export function bundleOptionsOf(checkout: string): Partial<typeof WORKFLOW_BUNDLE_OPTIONS> {
  const file = path.resolve(checkout, 'infra', 'workflow-bundle.ts');
  if (!existsSync(file)) return {};
  return (createRequire(__filename)(file) as { WORKFLOW_BUNDLE_OPTIONS: typeof WORKFLOW_BUNDLE_OPTIONS })
    .WORKFLOW_BUNDLE_OPTIONS;
}

/**
 * Bundles workflows/ once, so every worker process started from it is polling within a second or two.
 * `workflowInterceptorModules`: e.g. the tracing module (infra/tracing.ts) for a traced worker; `checkout`: whose
 * bundle options apply (another commit's worktree for its worker); `options`: others instead.
 */
export async function buildWorkflowBundle(
  workflowsPath = path.join(ROOT, 'workflows'),
  workflowInterceptorModules: string[] = [],
  checkout = ROOT,
  options = bundleOptionsOf(checkout),
): Promise<string> {
  const { code } = await bundleWorkflowCode({
    ...options,
    workflowsPath,
    workflowInterceptorModules,
    logger: quiet,
  });
  const dir = path.join(ROOT, '.run', 'bench');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `workflow-bundle-${process.pid}-${randomBytes(3).toString('hex')}.js`);
  writeFileSync(file, code);
  return file;
}

/** Waits until `url` answers 200 (an API child process has started listening). */
export async function waitForHttp(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as import('node:net').AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
