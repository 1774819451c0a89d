/** The live overview of open conversations (GET /api/v1/overview): types, Temporal UI links and the HTML page. */
import { conversationWorkflowId } from '../conversation/conversation-event';
import { escapeHtml as e } from './report-format';
import type { CartValueAtRisk } from './weekly-report-shape';

export interface OverviewConversation {
  incidenceId: string;
  conversationId: string;
  userId: string | null;
  stage: string;
  channel: string;
  eventType: string | null;
  cartValue: number | null;
  agentId: string | null;
  createdAt: string;
  /** Since when the customer has waited for a human reply (null when answered in this care cycle). */
  waitingSince: string | null;
  slaPolicy: string | null;
  slaStatus: string | null;
  slaNextDueAt: string | null;
}

export interface OverviewTarget extends OverviewConversation {
  target: string;
  dueAt: string;
  policy: string;
}

export interface OverviewFigures {
  asOf: string;
  open: { count: number; conversations: OverviewConversation[] };
  unattended: { count: number; conversations: OverviewConversation[] };
  breachingSoon: { count: number; withinSeconds: number; targets: OverviewTarget[] };
  cartValueAtRisk: CartValueAtRisk;
}

export type Linked<T> = T & { temporalUrl: string };

/** The conversation's workflow in the Temporal UI. */
export const temporalUiLink = (uiBaseUrl: string, namespace: string, conversationId: string): string =>
  `${uiBaseUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(
    conversationWorkflowId(conversationId),
  )}`;

export function withLinks(o: OverviewFigures, uiBaseUrl: string, namespace: string) {
  const link = <T extends OverviewConversation>(c: T): Linked<T> => ({
    ...c,
    temporalUrl: temporalUiLink(uiBaseUrl, namespace, c.conversationId),
  });
  return {
    ...o,
    open: { ...o.open, conversations: o.open.conversations.map(link) },
    unattended: { ...o.unattended, conversations: o.unattended.conversations.map(link) },
    breachingSoon: { ...o.breachingSoon, targets: o.breachingSoon.targets.map(link) },
  };
}
export type LinkedOverview = ReturnType<typeof withLinks>;

const rupees = (v: number | null) => (v === null ? '—' : `₹${v.toLocaleString('en-IN', { maximumFractionDigits: 2 })}`);

function table(title: string, rows: Array<Linked<OverviewConversation> & { target?: string; dueAt?: string }>) {
  const head = ['Conversation', 'Customer', 'Cart', 'Event', 'Agent', 'Waiting since', 'SLA', 'Due'];
  const body = rows
    .map(
      (r) =>
        `<tr><td><a href="${e(r.temporalUrl)}">${e(r.conversationId)}</a></td><td>${e(r.userId ?? '—')}</td>` +
        `<td>${rupees(r.cartValue)}</td><td>${e(r.eventType ?? '—')}</td><td>${e(r.agentId ?? 'unassigned')}</td>` +
        `<td>${e(r.waitingSince ?? '—')}</td><td>${e(r.target ?? r.slaStatus ?? '—')}</td>` +
        `<td>${e(r.dueAt ?? r.slaNextDueAt ?? '—')}</td></tr>`,
    )
    .join('');
  const empty = rows.length === 0 ? `<tr><td colspan="${head.length}">None</td></tr>` : '';
  return `<h2>${e(title)}</h2><table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${body}${empty}</tbody></table>`;
}

/** A self-contained page: no scripts, every text from data escaped. */
export function renderOverviewHtml(o: LinkedOverview): string {
  const tiles = [
    ['Open conversations', String(o.open.count)],
    ['Unattended', String(o.unattended.count)],
    [`SLAs due within ${o.breachingSoon.withinSeconds / 60} min`, String(o.breachingSoon.count)],
    ['Cart value at risk', rupees(o.cartValueAtRisk.value)],
  ]
    .map(
      ([label, value]) =>
        `<div class="tile" data-tile="${e(label!)}"><b>${e(value!)}</b><span>${e(label!)}</span></div>`,
    )
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Support overview</title><style>
body{font-family:sans-serif;margin:24px;color:#222}.tile{display:inline-block;margin:0 16px 16px 0;padding:12px 16px;border:1px solid #ccc;border-radius:6px}
.tile b{display:block;font-size:24px}table{border-collapse:collapse;margin-bottom:24px}td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;font-size:13px}
</style></head><body><h1>Support overview</h1><p>As of ${e(o.asOf)}</p>${tiles}
${table(`SLAs due within ${o.breachingSoon.withinSeconds / 60} minutes`, o.breachingSoon.targets)}
${table('Unattended conversations (longest wait first)', o.unattended.conversations)}
${table('Open conversations (largest cart first)', o.open.conversations)}
</body></html>`;
}
