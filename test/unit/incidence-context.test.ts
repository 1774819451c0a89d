import { contextFromProperties, mergeContexts } from '../../domain/conversation/incidence-context';

test('Freshchat string properties are parsed; empty strings are absent', () => {
  expect(
    contextFromProperties({
      cart_value: '1,85,000.00',
      guest_count: '350',
      friction_score: '64.5',
      event_type: 'wedding',
      order_id: '',
      current_screen: 'CHECKOUT',
    }),
  ).toEqual({ cartValue: 185000, guestCount: 350, frictionScore: 64.5, eventType: 'WEDDING', appScreen: 'CHECKOUT' });
});

test('cf_-prefixed names are read too, and garbage numbers are dropped', () => {
  expect(contextFromProperties({ cf_user_id: 'usr_1', cf_cart_value: 'abc' })).toEqual({ userId: 'usr_1' });
});

test('mergeContexts: first source with a value wins per field', () => {
  expect(
    mergeContexts({ userId: 'u', cartValue: 10 }, { cartValue: 20, guestCount: 5 }, { eventType: 'CORPORATE' }),
  ).toEqual({
    userId: 'u',
    orderId: null,
    appScreen: null,
    cartValue: 10,
    guestCount: 5,
    eventType: 'CORPORATE',
    frictionScore: null,
  });
});
