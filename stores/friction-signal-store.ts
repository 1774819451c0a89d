import { sql, type DatabasePool } from 'slonik';

export interface FrictionSignalRow {
  userId: string;
  sessionId: string;
  signalType: string;
  value: number | null;
  screen: string | null;
}

/** Durable log of every behaviour signal (the friction_signals table); the API answers only after this insert. */
export async function insertFrictionSignal(pool: DatabasePool, row: FrictionSignalRow): Promise<void> {
  await pool.query(sql.unsafe`
    INSERT INTO friction_signals (user_id, session_id, signal_type, value, screen)
    VALUES (${row.userId}, ${row.sessionId}, ${row.signalType}, ${row.value}, ${row.screen})`);
}
