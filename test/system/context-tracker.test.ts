import { randomUUID } from 'node:crypto';
import { ApiClientError, ContextTracker, createApiClient } from '../../app-client';
import { ADMIN_API_TOKEN, appToken } from '../support/signing';
import { startTestSystem, type TestSystem } from '../support/system';

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem({}, { worker: false });
});
afterAll(async () => {
  await system?.stop();
});

const newUser = () => `usr_${randomUUID().slice(0, 8)}`;

/** A hand-driven clock: the tracker measures screen time with it. */
const manualClock = () => {
  let now = 1_700_000_000_000;
  return { now: () => now, advance: (seconds: number) => void (now += seconds * 1000) };
};

test('the tracker counts back navigations, measures time per screen and surfaces the help offer', async () => {
  const userId = newUser();
  const token = await appToken(userId);
  const api = createApiClient(system.baseUrl, () => token);
  const clock = manualClock();
  const offers: string[] = [];
  const tracker = new ContextTracker({ api, userId, clock: clock.now, onHelp: (message) => offers.push(message) });

  await api.updateProfile(userId, { name: 'Meera', past_order_count: 0 });
  await tracker.trackCart({
    cart_value: 185000,
    guest_count: 350,
    event_type: 'WEDDING',
    items: [{ id: 'p1', name: 'Royal Rajasthani', quantity: 350 }],
  });
  await tracker.trackScreen('MENU_BROWSE');
  clock.advance(12);
  await tracker.trackScreen('CHECKOUT');
  clock.advance(35);
  await tracker.trackScreen('CART', true);
  clock.advance(5);
  await tracker.trackScreen('CHECKOUT');
  clock.advance(30);
  await tracker.trackScreen('MENU_BROWSE', true);
  clock.advance(4);
  await tracker.trackScreen('CHECKOUT');
  clock.advance(3);
  await tracker.trackScreen('CART', true);
  clock.advance(2);
  const answer = await tracker.trackScreen('CHECKOUT', true);

  expect(tracker.backNavigationCount).toBe(4);
  expect(tracker.getTimeOnScreen('CHECKOUT')).toBe(68);
  expect(tracker.getTimeOnScreen('MENU_BROWSE')).toBe(16);
  // on CHECKOUT with 68 s there (30) + 4 back navigations (25) + wedding (15) + first order (10)
  expect(answer).toMatchObject({
    friction_score: 80,
    should_show_help: true,
    help_message: 'Need help completing your order?',
  });
  expect(offers).toContain('Need help completing your order?');

  const context = await api.getContext(userId);
  expect(context).toMatchObject({
    back_navigation_count: 4,
    time_on_checkout_seconds: 68,
    current_screen: 'CHECKOUT',
    name: 'Meera',
    cart_value: 185000,
  });
  expect(context.cart_items).toHaveLength(1);
});

test('signals and the inactivity check report on the current screen', async () => {
  const userId = newUser();
  const token = await appToken(userId);
  const api = createApiClient(system.baseUrl, async () => token);
  const clock = manualClock();
  const tracker = new ContextTracker({ api, userId, clock: clock.now });
  await tracker.trackScreen('PAYMENT');
  expect((await tracker.reportSignal('PAYMENT_FAILURE')).friction_score).toBe(40);
  await tracker.trackScreen('CHECKOUT');
  clock.advance(90);
  expect(tracker.getTimeOnScreen('CHECKOUT')).toBe(90);
  const idle = await tracker.checkFriction();
  expect(idle).toMatchObject({
    friction_score: 70,
    should_show_help: true,
    help_message: 'Need help completing your order?',
  });
  expect(tracker.latest).toEqual(idle);
  expect(await api.getContext(userId)).toMatchObject({ payment_retry_count: 1, time_on_checkout_seconds: 90 });
  const route = await api.routeChannels({ order_value: 25000.01 });
  expect(route.allowed_channels).toEqual(['CHAT', 'CALL']);
});

test('API errors arrive typed, with status, code and field', async () => {
  const userId = newUser();
  const api = createApiClient(system.baseUrl, () => appToken(userId));
  await expect(api.updateCart(userId, { cart_value: -5 })).rejects.toMatchObject({
    status: 400,
    code: 'invalid_request',
    field: 'cart_value',
  });
  const error = await api.getContext(newUser()).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ApiClientError);
  expect(error).toMatchObject({ status: 403, code: 'forbidden' });
  const admin = createApiClient(system.baseUrl, () => ADMIN_API_TOKEN);
  await expect(admin.getContext(newUser())).rejects.toMatchObject({ status: 404, code: 'context_not_found' });
});
