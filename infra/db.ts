import pg from 'pg';
import { createPool, SchemaValidationError, type DatabasePool, type Interceptor } from 'slonik';

export type { DatabasePool };

/** Makes `sql.type(zodSchema)` validate and transform every row (slonik leaves this to the application). */
const resultParser: Interceptor = {
  name: 'zod-result-parser',
  transformRow: (context, query, row) => {
    if (!context.resultParser) return row;
    const parsed = context.resultParser.safeParse(row);
    if (!parsed.success) throw new SchemaValidationError(query, row, parsed.error.issues);
    return parsed.data as typeof row;
  },
};

export async function createDatabasePool(databaseUrl: string, maximumPoolSize = 10): Promise<DatabasePool> {
  return createPool(databaseUrl, {
    maximumPoolSize,
    statementTimeout: 30_000,
    idleTimeout: 10_000,
    interceptors: [resultParser],
    // slonik sends DISCARD ALL on every release: a round trip per query or transaction. We keep no session
    // state (no SET, temp tables or session locks on pooled connections), so there is nothing to discard.
    resetConnection: async () => undefined,
  });
}

/**
 * slonik 47 wedges its pool when the database connection drops under a running query: pg emits the
 * client's 'error' in the same tick as it rejects the query, slonik's destroy then races that rejection,
 * throws before announcing the destroy, and the connection stays "pending destroy" forever. Once every
 * slot is stuck no query ever runs again (found by the chaos run; repro in test/system/database-recovery.test.ts).
 * Emitting pg's 'error' one macrotask later lets the query settle first, so destroy completes.
 */
function deferPgClientErrors(): void {
  const marker = Symbol.for('support-led-ordering.deferred-pg-errors');
  const proto = pg.Client.prototype as pg.Client & { [marker]?: true };
  if (proto[marker]) return;
  const emit = proto.emit;
  proto.emit = function (this: pg.Client, event: string | symbol, ...args: unknown[]): boolean {
    if (event !== 'error') return emit.call(this, event, ...args);
    setImmediate(() => {
      if (this.listenerCount('error') > 0) emit.call(this, event, ...args);
    });
    return true;
  } as typeof proto.emit;
  proto[marker] = true;
}
deferPgClientErrors();
