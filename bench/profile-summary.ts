import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a place in the code lives, short: the package for dependencies, the file for our own code. */
function placeOf(url: string): string {
  if (url === '') return '(native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0)
    return url
      .slice(modules + 13)
      .split('/')
      .slice(0, url.slice(modules + 13).startsWith('@') ? 2 : 1)
      .join('/');
  if (url.startsWith('node:')) return url;
  return path.relative(process.cwd(), url.replace('file://', ''));
}

/** Self time by function and by package for each .cpuprofile written by `node --cpu-prof`. */
export function summariseProfiles(dir: string, top = 12): void {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const byFunction = new Map<string, number>();
    const byPlace = new Map<string, number>();
    let total = 0;
    profile.samples.forEach((id, i) => {
      const frame = byId.get(id)!.callFrame;
      const ms = (profile.timeDeltas[i] ?? 0) / 1000;
      total += ms;
      const place = placeOf(frame.url);
      const name = `${frame.functionName || '(anonymous)'} ${place}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
      byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
      byPlace.set(place, (byPlace.get(place) ?? 0) + ms);
    });
    const rows = (m: Map<string, number>) =>
      [...m]
        .sort((a, b) => b[1] - a[1])
        .slice(0, top)
        .map(([what, ms]) => ({ what, 'self ms': Math.round(ms), share: `${((100 * ms) / total).toFixed(1)}%` }));
    console.log(`\n${file}: ${Math.round(total)} ms sampled`);
    console.table(rows(byPlace));
    console.table(rows(byFunction));
  }
}
