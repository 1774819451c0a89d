import { eventList, HELP_TRIGGER_TEXT, routeChannels, type ChannelRules } from '../../domain/app-context/channel-route';

const rules: ChannelRules = {
  enabled: true,
  lowThreshold: 5000,
  highThreshold: 25000,
  highImportanceEvents: ['WEDDING', 'CORPORATE', 'RELIGIOUS'],
};

test.each([
  [0, [], false, true, 'NONE'],
  [4999.99, [], false, true, 'NONE'],
  [5000, ['CHAT'], true, false, 'NORMAL'],
  [12000, ['CHAT'], true, false, 'NORMAL'],
  [25000, ['CHAT'], true, false, 'NORMAL'],
  [25000.01, ['CHAT', 'CALL'], true, false, 'HIGH'],
  [185000, ['CHAT', 'CALL'], true, false, 'HIGH'],
])('₹%d without an event → %j', (value, channels, button, faq, priority) => {
  expect(routeChannels(value, undefined, rules)).toMatchObject({
    allowed_channels: channels,
    show_help_button: button,
    show_faq: faq,
    priority,
  });
});

test.each(['WEDDING', 'CORPORATE', 'RELIGIOUS', 'wedding', 'Religious'])(
  '%s always gets chat and call, even for ₹0',
  (event) => {
    expect(routeChannels(0, event, rules)).toEqual({
      allowed_channels: ['CHAT', 'CALL'],
      show_help_button: true,
      show_faq: false,
      priority: 'HIGH',
      help_trigger_text: HELP_TRIGGER_TEXT.full,
    });
    expect(routeChannels(4999.99, event, rules).allowed_channels).toEqual(['CHAT', 'CALL']);
  },
);

test('an ordinary event follows the value rules', () => {
  expect(routeChannels(4999.99, 'BIRTHDAY', rules).allowed_channels).toEqual([]);
  expect(routeChannels(5000, 'BIRTHDAY', rules).allowed_channels).toEqual(['CHAT']);
  expect(routeChannels(4000, null, rules).help_trigger_text).toBe(HELP_TRIGGER_TEXT.selfServe);
});

test('thresholds and events come from the rules, not constants', () => {
  const custom: ChannelRules = {
    enabled: true,
    lowThreshold: 1000,
    highThreshold: 2000,
    highImportanceEvents: ['BIRTHDAY'],
  };
  expect(routeChannels(999, null, custom).allowed_channels).toEqual([]);
  expect(routeChannels(2000, null, custom).allowed_channels).toEqual(['CHAT']);
  expect(routeChannels(2000.5, null, custom).allowed_channels).toEqual(['CHAT', 'CALL']);
  expect(routeChannels(0, 'birthday', custom).priority).toBe('HIGH');
  expect(routeChannels(0, 'WEDDING', custom).priority).toBe('NONE');
});

test('CHANNEL_ROUTING_ENABLED=false opens chat to every cart', () => {
  const off = { ...rules, enabled: false };
  for (const value of [0, 4999.99, 5000, 25000, 25000.01]) {
    expect(routeChannels(value, null, off)).toMatchObject({ allowed_channels: ['CHAT'], show_help_button: true });
  }
  expect(routeChannels(100, 'WEDDING', off).allowed_channels).toEqual(['CHAT']);
});

test('routes are fresh objects', () => {
  const a = routeChannels(30000, null, rules);
  a.allowed_channels.pop();
  expect(routeChannels(30000, null, rules).allowed_channels).toEqual(['CHAT', 'CALL']);
});

test('eventList parses the configured list', () => {
  expect(eventList(' wedding, CORPORATE ,,religious ')).toEqual(['WEDDING', 'CORPORATE', 'RELIGIOUS']);
});
