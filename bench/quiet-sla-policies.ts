import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadSettings } from '../infra/settings';
import { ROOT } from './scratch';

/**
 * The SLA policies a benchmark's worker runs: the product's file as it is (`product`, undefined here), or (`quiet`)
 * the same policies with every threshold at one day, so each event takes the same SLA step but no breach falls due
 * during the run. `checkout`: whose policy file (another commit's worktree), this one's by default.
 */
export function benchSlaPolicies(runId: string, mode: string, checkout = ROOT): string | undefined {
  if (mode === 'product') return undefined;
  if (mode !== 'quiet') throw new Error('--sla takes quiet or product');
  const file = loadSettings().sla.policyFile;
  const policies = JSON.parse(readFileSync(path.resolve(checkout, file), 'utf8')) as {
    policies: Record<string, unknown>[];
  };
  const quiet = policies.policies.map((p) => ({
    ...p,
    firstResponse: '1d',
    ...(p.nextResponse !== undefined && { nextResponse: '1d' }),
    ...(p.resolution !== undefined && { resolution: '1d' }),
  }));
  const dir = path.join(ROOT, '.run', 'bench');
  mkdirSync(dir, { recursive: true });
  const out = path.join(dir, `sla-policies-quiet-${runId}.json`);
  writeFileSync(out, JSON.stringify({ policies: quiet }));
  return out;
}
