import {
  assessFriction,
  DEFAULT_HELP_MESSAGE,
  FRICTION_WEIGHTS,
  frictionScore,
  frictionSignals,
  helpMessageFor,
  type FrictionInputs,
  type FrictionSignalName,
} from '../../domain/app-context/friction';

const EVENTS = ['WEDDING', 'CORPORATE', 'RELIGIOUS'];
const calm: FrictionInputs = {
  current_screen: 'MENU_BROWSE',
  time_on_checkout_seconds: 0,
  back_navigation_count: 0,
  price_check_count: 0,
  event_type: null,
  past_order_count: 3,
  payment_retry_count: 0,
};
const on = { enabled: true, highImportanceEvents: EVENTS };

test('a calm returning user scores 0 and gets no help', () => {
  expect(assessFriction(calm, on)).toEqual({
    friction_score: 0,
    should_show_help: false,
    help_message: null,
    signals: [],
  });
});

describe('each weight alone, at its edge', () => {
  const cases: Array<[FrictionSignalName, Partial<FrictionInputs>, Partial<FrictionInputs>]> = [
    [
      'inactivity_checkout',
      { current_screen: 'CHECKOUT', time_on_checkout_seconds: 61 },
      { current_screen: 'CHECKOUT', time_on_checkout_seconds: 60 },
    ],
    ['back_navigation', { back_navigation_count: 4 }, { back_navigation_count: 3 }],
    ['price_checks', { price_check_count: 6 }, { price_check_count: 5 }],
    ['high_value_event', { event_type: 'WEDDING' }, { event_type: 'BIRTHDAY' }],
    ['first_time_user', { past_order_count: 0 }, { past_order_count: 1 }],
    ['payment_failure', { payment_retry_count: 1 }, { payment_retry_count: 0 }],
  ];
  test.each(cases)('%s', (name, present, absent) => {
    const result = assessFriction({ ...calm, ...present }, on);
    expect(result.signals).toEqual([name]);
    expect(result.friction_score).toBe(FRICTION_WEIGHTS[name]);
    expect(assessFriction({ ...calm, ...absent }, on).friction_score).toBe(0);
  });
});

test('the friction weights', () => {
  expect(FRICTION_WEIGHTS).toEqual({
    inactivity_checkout: 30,
    back_navigation: 25,
    price_checks: 20,
    high_value_event: 15,
    first_time_user: 10,
    payment_failure: 40,
  });
});

test('checkout time counts only while the user is on CHECKOUT (any case)', () => {
  expect(frictionSignals({ ...calm, current_screen: 'PAYMENT', time_on_checkout_seconds: 500 }, EVENTS)).toEqual([]);
  expect(frictionSignals({ ...calm, current_screen: 'checkout', time_on_checkout_seconds: 61 }, EVENTS)).toEqual([
    'inactivity_checkout',
  ]);
});

test.each(EVENTS)('%s is a high-value event, in any case', (event) => {
  expect(frictionSignals({ ...calm, event_type: event.toLowerCase() }, EVENTS)).toEqual(['high_value_event']);
});

test('unknown order history is not a first-time user', () => {
  expect(frictionSignals({ ...calm, past_order_count: null }, EVENTS)).toEqual([]);
});

test('weights combine; threshold 60 is inclusive', () => {
  // back navigation 25 + price checks 20 + high-value event 15 = 60
  const sixty = assessFriction(
    { ...calm, back_navigation_count: 4, price_check_count: 6, event_type: 'CORPORATE' },
    on,
  );
  expect(sixty).toMatchObject({
    friction_score: 60,
    should_show_help: true,
    help_message: 'Want a personalized recommendation?',
  });
  // 25 + 20 + 10 = 55
  expect(
    assessFriction({ ...calm, back_navigation_count: 4, price_check_count: 6, past_order_count: 0 }, on),
  ).toMatchObject({ friction_score: 55, should_show_help: false });
  // 40 + 15 + 10 = 65
  expect(
    assessFriction(
      { ...calm, payment_retry_count: 2, event_type: 'RELIGIOUS', past_order_count: 0, current_screen: 'PAYMENT' },
      on,
    ),
  ).toMatchObject({
    friction_score: 65,
    should_show_help: true,
    help_message: 'Having trouble with payment?',
  });
});

test('the score is capped at 100 (all weights sum to 140)', () => {
  const all = assessFriction(
    {
      current_screen: 'CHECKOUT',
      time_on_checkout_seconds: 120,
      back_navigation_count: 9,
      price_check_count: 9,
      event_type: 'WEDDING',
      past_order_count: 0,
      payment_retry_count: 3,
    },
    on,
  );
  expect(all.signals).toHaveLength(6);
  expect(all.friction_score).toBe(100);
  expect(frictionScore(['payment_failure', 'inactivity_checkout', 'back_navigation'])).toBe(95);
  expect(frictionScore(['payment_failure', 'inactivity_checkout', 'back_navigation', 'first_time_user'])).toBe(100);
});

test('help message by screen, else "Need help?"', () => {
  expect(helpMessageFor('GUEST_COUNT')).toBe('Need help deciding portions?');
  expect(helpMessageFor('MENU_BROWSE')).toBe('Want a personalized recommendation?');
  expect(helpMessageFor('CHECKOUT')).toBe('Need help completing your order?');
  expect(helpMessageFor('payment')).toBe('Having trouble with payment?');
  expect(helpMessageFor('CART')).toBe(DEFAULT_HELP_MESSAGE);
  expect(helpMessageFor(null)).toBe('Need help?');
});

test('FRICTION_DETECTION_ENABLED=false: the score is still computed, help is never suggested', () => {
  const result = assessFriction(
    { ...calm, payment_retry_count: 1, back_navigation_count: 5 },
    { ...on, enabled: false },
  );
  expect(result).toMatchObject({ friction_score: 65, should_show_help: false, help_message: null });
});
