import { sql } from 'slonik';
import { createDatabasePool } from '../../infra/db';
import { Client } from 'pg';
async function main() {
  const pool = await createDatabasePool('postgres://postgres@127.0.0.1:5432/postgres', 4);
  const N = 3000;
  for (const mode of ['query', 'tx3', 'query', 'tx3', 'pg']) {
    const c0 = process.cpuUsage(); const t0 = Date.now();
    if (mode === 'pg') {
      const c = new Client('postgres://postgres@127.0.0.1:5432/postgres'); await c.connect();
      const c1 = process.cpuUsage();
      for (let i = 0; i < N; i++) await c.query('SELECT $1::int AS x', [i]);
      const u = process.cpuUsage(c1); console.log('raw pg', ((u.user + u.system) / 1000 / N).toFixed(3), 'ms cpu/query');
      await c.end(); continue;
    }
    for (let i = 0; i < N; i++) {
      if (mode === 'query') await pool.query(sql.unsafe`SELECT ${i}::int AS x`);
      else await pool.transaction(async (tx) => { await tx.query(sql.unsafe`SELECT ${i}::int AS x`); });
    }
    const u = process.cpuUsage(c0);
    console.log(mode, ((u.user + u.system) / 1000 / N).toFixed(3), 'ms cpu per op', (Date.now() - t0) / N, 'ms wall');
  }
  await pool.end();
}
main();
