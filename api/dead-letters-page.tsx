import Router from '@koa/router';
import type { DatabasePool } from 'slonik';
import type { ConversationEvent } from '../domain/conversation/conversation-event';
import { pendingDeadLetters } from '../stores/dead-letter-store';
import { replayDeadLetters } from '../gateways/replay-dead-letters';
import { csrfCheck, csrfField, DASHBOARD_PATH, requirePerson, sendPage, signOutForm } from './people/guard';

export interface DeadLettersPageDeps {
  pool: DatabasePool;
  deliver(event: ConversationEvent): Promise<unknown>;
}

/** Admins only: events PostgreSQL refused (docs/record-guarantee.md), and a button that replays them all. */
export function deadLettersPageRouter(deps: DeadLettersPageDeps): Router {
  const router = new Router({ prefix: '/dead-letters' });
  router.use(requirePerson('admin'));

  router.get('/', async (ctx) => {
    const letters = await pendingDeadLetters(deps.pool);
    const done = typeof ctx.query.replayed === 'string' ? ctx.query : undefined;
    sendPage(
      ctx,
      200,
      'Dead letters',
      <>
        {done && (
          <p role="status">
            Replayed {done.replayed}; {done.failed ?? '0'} could not be handed over.
          </p>
        )}
        <p>
          {letters.length === 0
            ? 'No event is waiting: every event reached the database.'
            : `${letters.length} events wait for a replay.`}
        </p>
        {letters.length > 0 && (
          <>
            <table>
              <caption>Pending dead letters, oldest first</caption>
              <thead>
                <tr>
                  <th scope="col">Failed at</th>
                  <th scope="col">Conversation</th>
                  <th scope="col">Step</th>
                  <th scope="col">Error</th>
                </tr>
              </thead>
              <tbody>
                {letters.map((l) => (
                  <tr>
                    <td>{l.failedAt}</td>
                    <td>{l.conversationId}</td>
                    <td>{l.step}</td>
                    <td>{l.error}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <form method="post" action="/dead-letters/replay">
              {csrfField(ctx)}
              <button class="button" type="submit">
                Replay every pending event
              </button>
            </form>
          </>
        )}
        <p>
          <a href={DASHBOARD_PATH}>Back to the dashboard</a>
        </p>
        {signOutForm(ctx)}
      </>,
    );
  });

  router.post('/replay', csrfCheck, async (ctx) => {
    const { replayed, failed } = await replayDeadLetters({ pool: deps.pool, deliver: deps.deliver });
    ctx.status = 303;
    ctx.redirect(`/dead-letters?replayed=${replayed.length}&failed=${failed.length}`);
  });
  return router;
}
