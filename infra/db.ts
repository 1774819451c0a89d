import pg from 'pg';
import { createPool, SchemaValidationError, type DatabasePool, type Interceptor } from 'slonik';

export type { DatabasePool };

/** Makes `sql.type(schema)` validate and transform every row (slonik leaves this to the application). */
const resultParser: Interceptor = {
  name: 'result-parser',
  transformRow: (context, query, row) => {
    if (!context.resultParser) return row;
    const result = context.resultParser['~standard'].validate(row);
    if (result instanceof Promise) throw new TypeError('a row schema must validate synchronously');
    if (result.issues) throw new SchemaValidationError(query, row, result.issues);
    return result.value as typeof row;
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
 * Emits pg's client 'error' one macrotask later, so the query the drop rejected settles before slonik destroys the
 * connection. slonik 47's pool wedged without it: its destroy raced that rejection, threw before announcing the
 * destroy, and the slot stayed "pending destroy" until every slot was stuck (found by the chaos run; repro in
 * test/system/database-recovery.test.ts). slonik 49's driver waits for the running query itself, and a one-cut version
 * of that test passed without this deferral; it stays until that test and the chaos runs pass without it.
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
