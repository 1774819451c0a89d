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
