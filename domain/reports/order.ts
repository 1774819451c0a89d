/**
 * The orders feed's vocabulary (docs/decisions.md #19, #20): what the ordering system reports, and why an order
 * counts as assisted.
 */
import { z } from 'zod';
import { isCalendarDay, isCalendarInstant } from '../calendar';

export const ORDER_EVENTS = ['PLACED', 'MODIFIED', 'CANCELLED'] as const;
export type OrderEvent = (typeof ORDER_EVENTS)[number];

/**
 * Why an order counts as assisted, in priority order when several incidences apply:
 * the incidence names the order; the user's incidence was open when the order was placed; or it was resolved
 * within ASSISTED_ORDER_WINDOW before.
 */
export const ASSIST_REASONS = ['NAMED_ORDER', 'OPEN_INCIDENCE', 'RESOLVED_WITHIN_WINDOW'] as const;
export type AssistReason = (typeof ASSIST_REASONS)[number];

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD')
  .refine(isCalendarDay, 'not a real date (years 2000–2999)');

export const orderReportSchema = z
  .object({
    order_id: z.string().trim().min(1).max(255),
    user_id: z.string().trim().min(1).max(255),
    event: z.enum(ORDER_EVENTS),
    value: z.number().finite().nonnegative().max(9_999_999_999.99),
    event_type: z.string().trim().max(50).nullable().optional(),
    event_date: isoDate.nullable().optional(),
    placed_at: z
      .string()
      .datetime({ offset: true, message: 'expected an ISO-8601 time with zone, e.g. 2026-11-24T10:15:00+05:30' })
      .refine(isCalendarInstant, 'not a real calendar time (years 2000–2999)'),
  })
  .strict();

export type OrderReport = z.infer<typeof orderReportSchema>;

export interface OrderAssist {
  incidenceId: string;
  reason: AssistReason;
}

export interface RecordedOrder {
  duplicate: boolean;
  orderId: string;
  event: OrderEvent;
  assisted: boolean;
  assists: OrderAssist[];
}
