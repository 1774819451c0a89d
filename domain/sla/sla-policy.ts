import { z } from 'zod';
import { parseDuration } from '../duration';
import { CHANNELS, type Channel } from '../conversation/incidence';

export const SLA_TARGETS = ['FIRST_RESPONSE', 'NEXT_RESPONSE', 'RESOLUTION'] as const;
export type SlaTargetKind = (typeof SLA_TARGETS)[number];

/** What a breach does besides recording it: a private note in the conversation, or a hand-over to a priority group. */
export type SlaEscalation =
  { action: 'PRIVATE_NOTE'; actorId: string } | { action: 'REASSIGN'; groupId: string } | { action: 'NONE' };

export interface SlaPolicy {
  name: string;
  /** Thresholds in seconds; a missing one sets no target of that kind. */
  thresholds: Partial<Record<SlaTargetKind, number>>;
  /** `business`: thresholds count only business hours (BUSINESS_HOURS_FILE); `calendar`: every second counts. */
  hours: 'calendar' | 'business';
  escalation: SlaEscalation;
}

interface PolicyMatch {
  eventTypes?: string[];
  channels?: Channel[];
  minCartValue?: number;
  maxCartValue?: number;
}

export interface SlaPolicies {
  policies: Array<SlaPolicy & { match: PolicyMatch }>;
}

/** What a policy is chosen by: the incidence's cart value, event type and channel. */
export interface SlaContext {
  cartValue: number | null;
  eventType: string | null;
  channel: string | null;
}

const threshold = z
  .string()
  .optional()
  .transform((text, ctx) => {
    if (text === undefined) return undefined;
    const ms = parseDuration(text);
    if (ms === undefined || ms < 1000)
      ctx.addIssue({ code: 'custom', message: 'expected a duration of at least 1s, like 2m, 4h or 1d' });
    return Math.round((ms ?? 0) / 1000);
  });

const escalation = z
  .discriminatedUnion('action', [
    z.object({ action: z.literal('PRIVATE_NOTE'), actorId: z.string().min(1) }).strict(),
    z.object({ action: z.literal('REASSIGN'), groupId: z.string().min(1) }).strict(),
    z.object({ action: z.literal('NONE') }).strict(),
  ])
  .default({ action: 'NONE' });

const policy = z
  .object({
    name: z.string().min(1).max(100),
    match: z
      .object({
        eventTypes: z
          .array(z.string().min(1))
          .min(1)
          .transform((l) => l.map((e) => e.toUpperCase()))
          .optional(),
        channels: z.array(z.enum(CHANNELS)).min(1).optional(),
        minCartValue: z.number().nonnegative().optional(),
        maxCartValue: z.number().nonnegative().optional(),
      })
      .strict()
      .default({}),
    firstResponse: threshold,
    nextResponse: threshold,
    resolution: threshold,
    hours: z.enum(['calendar', 'business']).default('business'),
    escalation,
  })
  .strict()
  .transform((p) => ({
    name: p.name,
    match: p.match,
    thresholds: Object.fromEntries(
      (
        [
          ['FIRST_RESPONSE', p.firstResponse],
          ['NEXT_RESPONSE', p.nextResponse],
          ['RESOLUTION', p.resolution],
        ] as const
      ).filter(([, v]) => v !== undefined),
    ) as SlaPolicy['thresholds'],
    hours: p.hours,
    escalation: p.escalation,
  }));

/** The SLA policy file: policies tried in order, the first whose `match` fits the conversation applies (none: no SLA). */
export const slaPolicyFile = z
  .object({ policies: z.array(policy) })
  .strict()
  .superRefine((file, ctx) => {
    const names = file.policies.map((p) => p.name);
    names.forEach((name, i) => {
      if (names.indexOf(name) !== i)
        ctx.addIssue({ code: 'custom', path: ['policies', i, 'name'], message: `duplicate policy name ${name}` });
    });
  });

const fits = (match: PolicyMatch, context: SlaContext): boolean => {
  const cart = context.cartValue;
  if (match.eventTypes && !(context.eventType && match.eventTypes.includes(context.eventType.toUpperCase())))
    return false;
  if (match.channels && !(context.channel && (match.channels as string[]).includes(context.channel))) return false;
  // "Above ₹25,000": a cart of exactly the minimum does not qualify, like the channel route's high threshold.
  if (match.minCartValue !== undefined && !(cart !== null && cart > match.minCartValue)) return false;
  if (match.maxCartValue !== undefined && !(cart !== null && cart <= match.maxCartValue)) return false;
  return true;
};

/** The policy for a conversation: the first that fits, or null (no SLA). */
export function policyFor(policies: SlaPolicies, context: SlaContext): SlaPolicy | null {
  const found = policies.policies.find((p) => fits(p.match, context));
  if (!found) return null;
  const { match: _match, ...chosen } = found;
  return chosen;
}
