import { changedFields, settingsOf, withSlackSettings } from '../../src/domain/client-settings.js';
import { REMINDER_PRESETS, parseScheduleText, presetOf, scheduleToText } from '../../src/domain/reminder-presets.js';
import { DEFAULT_REMINDER_SCHEDULE, type Client } from '../../src/domain/types.js';
import { acmeClient } from '../support/store-fixtures.js';

const fileClient: Client = acmeClient({ asanaProjectGids: [], reminderSchedule: DEFAULT_REMINDER_SCHEDULE.map((s) => ({ ...s })) });

describe('reminder presets', () => {
  test('the three presets, with the exact days and tones', () => {
    expect(scheduleToText(REMINDER_PRESETS.standard.steps)).toBe('7 friendly\n14 firm\n30 final');
    expect(scheduleToText(REMINDER_PRESETS.enterprise.steps)).toBe('14 friendly\n30 friendly\n45 firm');
    expect(scheduleToText(REMINDER_PRESETS['high-risk'].steps)).toBe('5 firm\n10 firm\n20 final');
  });

  test('a schedule is recognised as its preset, anything else is custom', () => {
    expect(presetOf(DEFAULT_REMINDER_SCHEDULE)).toBe('standard');
    expect(
      presetOf([
        { day: 5, from: 'delivery', tone: 'firm' },
        { day: 10, from: 'delivery', tone: 'firm' },
        { day: 20, from: 'delivery', tone: 'final' },
      ]),
    ).toBe('high-risk');
    expect(presetOf([{ day: 7, from: 'delivery', tone: 'friendly' }])).toBe('custom');
  });

  test('custom steps round-trip through the text form, due-relative ones included', () => {
    const parsed = parseScheduleText(' due-3 friendly \n10 FIRM\n\ndue+15 final');
    expect(parsed).toEqual({
      ok: true,
      steps: [
        { day: -3, from: 'due', tone: 'friendly' },
        { day: 10, from: 'delivery', tone: 'firm' },
        { day: 15, from: 'due', tone: 'final' },
      ],
    });
    if (parsed.ok) expect(scheduleToText(parsed.steps)).toBe('due-3 friendly\n10 firm\ndue+15 final');
  });

  test('bad custom steps name the line and the problem', () => {
    expect(parseScheduleText('7 friendly\n7 firm')).toEqual({ ok: false, error: 'Line 2: day 7 appears twice.' });
    expect(parseScheduleText('7 angry')).toMatchObject({ ok: false, error: expect.stringContaining('Line 1 "7 angry"') });
    expect(parseScheduleText('0 friendly')).toMatchObject({ ok: false, error: expect.stringContaining('1 or more') });
    expect(parseScheduleText('  ')).toMatchObject({ ok: false, error: expect.stringContaining('at least one step') });
  });
});

describe('Slack settings over the clients file', () => {
  test("only the fields set in Slack replace the file's", () => {
    const merged = withSlackSettings(fileClient, { paymentTermsDays: 14, businessHours: { start: '09:00', end: '17:00' } });
    expect(merged.paymentTermsDays).toBe(14);
    expect(merged.businessHours).toEqual({ start: '09:00', end: '17:00' });
    expect(merged.emails).toEqual(['ap@acme.example']);
    expect(merged.reminderSchedule).toEqual(fileClient.reminderSchedule);
  });

  test('a value set back to null in Slack (no quiet hours) still wins over the file', () => {
    const merged = withSlackSettings({ ...fileClient, businessHours: { start: '08:00', end: '18:00' } }, { businessHours: null });
    expect(merged.businessHours).toBeNull();
  });

  test('changed fields compare values, not key order', () => {
    const before = settingsOf(fileClient);
    const reordered = { ...before, reminderSchedule: before.reminderSchedule.map((s) => ({ tone: s.tone, from: s.from, day: s.day })) };
    expect(changedFields(before, reordered)).toEqual([]);
    expect(changedFields(before, { ...before, autoSend: true, timezone: 'Europe/Berlin' })).toEqual(['autoSend', 'timezone']);
  });
});
