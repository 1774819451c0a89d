import { createHash } from 'node:crypto';
import { createPool, SchemaValidationError, type DatabasePool, type Interceptor, type QuerySqlToken } from 'slonik';

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
 * The statement as a named prepared statement, named by its text: each pooled connection parses and plans it once and
 * is then sent only its values (a hot statement's text is kilobytes). The connections keep no other session state,
 * so nothing discards them (`resetConnection` above).
 */
export function prepared<T extends QuerySqlToken>(query: T): T {
  let name = statementNames.get(query.sql);
  if (name === undefined) {
    name = `s_${createHash('sha1').update(query.sql).digest('base64url')}`;
    // Texts come from the code's statement shapes, a bounded set; the bound only guards against a leak.
    if (statementNames.size >= MAX_STATEMENT_NAMES) statementNames.clear();
    statementNames.set(query.sql, name);
  }
  return Object.freeze({ ...query, name });
}

/** Statement text → name: a hot statement's text is hashed once, not on every call. */
const statementNames = new Map<string, string>();
const MAX_STATEMENT_NAMES = 1_000;
