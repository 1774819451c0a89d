import type { ExpectedConversation } from './plan-shape';

/** Lifecycles start on this day; each conversation a second after the previous, its events a minute apart. */
export const LIFECYCLE_START = '2026-03-02T04:30:00Z';

type Step = { action: 'conversation_resolution'; tags: string[] } | { action: 'conversation_reopen' };
/** The lives chaos conversations lead, by index: state changes in order, and the final outcome and reopen count. */
export const LIFECYCLES: Array<{ steps: Step[]; outcome: ExpectedConversation['outcome']; reopens: number }> = [
  { steps: [{ action: 'conversation_resolution', tags: ['order_placed'] }], outcome: 'CONVERTED', reopens: 0 },
  {
    steps: [
      { action: 'conversation_resolution', tags: ['pricing'] },
      { action: 'conversation_reopen' },
      { action: 'conversation_resolution', tags: ['pricing', 'order_placed'] },
    ],
    outcome: 'CONVERTED',
    reopens: 1,
  },
  { steps: [], outcome: 'DROPPED', reopens: 0 },
  {
    steps: [{ action: 'conversation_resolution', tags: ['menu_question'] }, { action: 'conversation_reopen' }],
    outcome: 'DROPPED',
    reopens: 1,
  },
];
