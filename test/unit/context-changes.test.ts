import { agentProperties, changedAgentFields, needsSync } from '../../domain/app-context/context-changes';
import { cartUpdate, screenUpdate, signalUpdate, withSession } from '../../domain/app-context/context-updates';
import { cartBody, frictionSignalBody, screenBody } from '../../domain/app-context/app-requests';
import { userContextOf } from '../../domain/app-context/user-context';

test('agent properties are strings; absent fields are empty so Freshchat clears them; no identity property', () => {
  expect(
    agentProperties({
      user_id: 'usr_1',
      current_screen: 'CHECKOUT',
      cart_value: '185000',
      guest_count: '350',
      back_navigation_count: '4',
    }),
  ).toEqual({
    current_screen: 'CHECKOUT',
    cart_value: '185000',
    guest_count: '350',
    event_type: '',
    event_date: '',
    selected_platter: '',
    friction_score: '0',
  });
});

test('only agent-visible fields count as changes', () => {
  expect(
    changedAgentFields(
      { current_screen: 'A', back_navigation_count: '1' },
      { current_screen: 'A', back_navigation_count: '2' },
    ),
  ).toEqual([]);
  expect(changedAgentFields({ current_screen: 'A' }, { current_screen: 'B', friction_score: '25' })).toEqual([
    'current_screen',
    'friction_score',
  ]);
  expect(changedAgentFields({ guest_count: '10' }, {})).toEqual(['guest_count']);
  expect(changedAgentFields({}, { freshchat_user_id: 'fc-1', user_id: 'usr_2' })).toEqual([]);
});

test('needsSync compares with what was last sent, and where', () => {
  const properties = agentProperties({ cart_value: '10' });
  const next = { target: 'u', properties };
  expect(needsSync(null, next)).toBe(true);
  expect(needsSync({ target: 'u', properties: { ...properties } }, next)).toBe(false);
  expect(needsSync({ target: 'u', properties: { ...properties, cart_value: '11' } }, next)).toBe(true);
  expect(needsSync({ target: 'fc-1', properties: { ...properties } }, next)).toBe(true);
});

test('a screen update: new screen, back navigation counted, time on the screen left', () => {
  const update = screenUpdate(
    screenBody.parse({
      screen_name: 'PAYMENT',
      is_back_navigation: true,
      previous_screen: 'CHECKOUT',
      time_on_previous_seconds: 42.5,
    }),
  );
  expect(update.set).toEqual({ current_screen: 'PAYMENT' });
  expect(update.increment).toEqual({ back_navigation_count: 1 });
  expect(update.screenTime).toEqual({
    field: 'time_on_checkout_seconds',
    screen: 'CHECKOUT',
    previous: 'CHECKOUT',
    seconds: 42.5,
  });
  expect(screenUpdate(screenBody.parse({ screen_name: 'MENU_BROWSE' })).increment).toEqual({});
});

test('profile fields can ride along on the first call', () => {
  const update = screenUpdate(
    screenBody.parse({ screen_name: 'HOME', profile: { name: 'Asha', past_order_count: 0, tier: 'gold' } }),
  );
  expect(update.set).toEqual({ current_screen: 'HOME', name: 'Asha', past_order_count: '0', tier: 'GOLD' });
});

test('a cart update sets the cart, clears nulls and counts a changed value as a price check', () => {
  const update = cartUpdate(
    cartBody.parse({
      cart_value: 96000,
      items: [{ id: 'p1', name: 'Thali', quantity: 200 }],
      guest_count: 200,
      selected_platter: null,
      event_type: 'corporate',
    }),
  );
  expect(update.set).toMatchObject({ cart_value: '96000', guest_count: '200', event_type: 'CORPORATE' });
  expect(JSON.parse(update.set.cart_items!)).toEqual([{ id: 'p1', name: 'Thali', quantity: 200 }]);
  expect(update.clear).toEqual(['selected_platter']);
  expect(update.countChange).toEqual({ field: 'cart_value', value: 96000, counter: 'price_check_count' });
});

test('signals change their counters; INACTIVITY on CHECKOUT raises the checkout time; unknown types change nothing', () => {
  expect(signalUpdate(frictionSignalBody.parse({ type: 'BACK_NAV' })).increment).toEqual({ back_navigation_count: 1 });
  expect(signalUpdate(frictionSignalBody.parse({ type: 'PRICE_CHECK' })).increment).toEqual({ price_check_count: 1 });
  expect(signalUpdate(frictionSignalBody.parse({ type: 'PAYMENT_FAILURE', screen: 'PAYMENT' }))).toMatchObject({
    increment: { payment_retry_count: 1 },
    set: { current_screen: 'PAYMENT' },
  });
  expect(signalUpdate(frictionSignalBody.parse({ type: 'INACTIVITY', value: 75, screen: 'CHECKOUT' })).raiseTo).toEqual(
    { time_on_checkout_seconds: 75 },
  );
  expect(
    signalUpdate(frictionSignalBody.parse({ type: 'INACTIVITY', value: 75, screen: 'MENU_BROWSE' })).raiseTo,
  ).toEqual({});
  const unknown = signalUpdate(frictionSignalBody.parse({ type: 'RAGE_TAP' }));
  expect([unknown.increment, unknown.raiseTo, unknown.set]).toEqual([{}, {}, {}]);
});

test('every update stamps time and opens a session only if none runs', () => {
  const now = new Date('2026-01-16T13:00:00Z');
  const update = withSession(screenUpdate(screenBody.parse({ screen_name: 'HOME' })), 'usr_1', now, 'sess-1');
  expect(update.set).toMatchObject({ user_id: 'usr_1', updated_at: now.toISOString() });
  expect(update.setIfAbsent).toEqual({ session_id: 'sess-1', session_start: now.toISOString() });
});

test('userContextOf reads a stored hash with defaults and the session duration', () => {
  const context = userContextOf(
    'usr_1',
    {
      session_start: '2026-01-16T13:00:00.000Z',
      cart_value: '1500.5',
      cart_items: 'not json',
      past_order_count: '0',
      version: '7',
    },
    new Date('2026-01-16T13:02:05Z'),
  );
  expect(context).toMatchObject({
    user_id: 'usr_1',
    cart_value: 1500.5,
    cart_items: [],
    past_order_count: 0,
    version: 7,
    session_duration_seconds: 125,
    back_navigation_count: 0,
    name: null,
    guest_count: null,
  });
});

test('schemas name the bad field', () => {
  const bad = cartBody.safeParse({
    cart_value: -1,
    items: Array.from({ length: 201 }, (_, i) => ({ id: `${i}`, name: 'x', quantity: 1 })),
    event_date: '2026-02-30',
  });
  expect(bad.success).toBe(false);
  const paths = bad.error!.issues.map((i) => i.path.join('.'));
  expect(paths).toEqual(expect.arrayContaining(['cart_value', 'items', 'event_date']));
  expect(screenBody.safeParse({ screen_name: '' }).success).toBe(false);
  expect(frictionSignalBody.safeParse({ type: 'inactivity' }).success).toBe(false);
});
