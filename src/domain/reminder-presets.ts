import type { ReminderStep, ReminderTone } from './types.js';

/**
 * Named reminder schedules offered in the client settings modal. Days count from the invoice email.
 *
 * - standard: the default (7 friendly, 14 firm, 30 final).
 * - enterprise: later and softer (14, 30, 45), every step one tone gentler than standard: two
 *   friendly reminders and a firm one. No step is a final notice, so the day-30 mode (pause and
 *   escalate, or notice only) never comes into play for these clients.
 * - new or high-risk: earlier and firm from the start (5 firm, 10 firm, 20 final).
 */
export type PresetName = 'standard' | 'enterprise' | 'high-risk';

const step = (day: number, tone: ReminderTone): ReminderStep => ({ day, from: 'delivery', tone });

export const REMINDER_PRESETS: Readonly<Record<PresetName, { label: string; steps: readonly ReminderStep[] }>> = {
  standard: { label: 'Standard: day 7 friendly, 14 firm, 30 final', steps: [step(7, 'friendly'), step(14, 'firm'), step(30, 'final')] },
  enterprise: { label: 'Enterprise: day 14, 30 friendly, 45 firm (soft, no final notice)', steps: [step(14, 'friendly'), step(30, 'friendly'), step(45, 'firm')] },
  'high-risk': { label: 'New or high-risk: day 5 firm, 10 firm, 20 final', steps: [step(5, 'firm'), step(10, 'firm'), step(20, 'final')] },
};

export const PRESET_NAMES = Object.keys(REMINDER_PRESETS) as PresetName[];

const sameStep = (a: ReminderStep, b: ReminderStep) => a.day === b.day && a.from === b.from && a.tone === b.tone;

/** The preset a schedule is exactly, or 'custom'. */
export function presetOf(schedule: readonly ReminderStep[]): PresetName | 'custom' {
  return (
    PRESET_NAMES.find((name) => {
      const steps = REMINDER_PRESETS[name].steps;
      return steps.length === schedule.length && steps.every((s, i) => sameStep(s, schedule[i]!));
    }) ?? 'custom'
  );
}

/** One step per line as people write it: "7 friendly" (days after sending) or "due-3 friendly" (before the due date). */
export function scheduleToText(schedule: readonly ReminderStep[]): string {
  return schedule.map((s) => `${s.from === 'due' ? `due${s.day >= 0 ? '+' : ''}${s.day}` : s.day} ${s.tone}`).join('\n');
}

const LINE = /^(due\s*)?([+-]?\d{1,3})\s+(friendly|firm|final)$/i;
const MAX_STEPS = 10;

/** Parses `scheduleToText`'s format; the error names the line and what is wrong. */
export function parseScheduleText(text: string): { ok: true; steps: ReminderStep[] } | { ok: false; error: string } {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  if (!lines.length) return { ok: false, error: 'Give at least one step, e.g. "7 friendly".' };
  if (lines.length > MAX_STEPS) return { ok: false, error: `At most ${MAX_STEPS} steps.` };
  const steps: ReminderStep[] = [];
  for (const [i, line] of lines.entries()) {
    const m = LINE.exec(line);
    if (!m) return { ok: false, error: `Line ${i + 1} "${line.slice(0, 30)}": write "<day> <friendly|firm|final>", e.g. "14 firm" or "due-3 friendly".` };
    const from = m[1] ? 'due' : 'delivery';
    const day = Number(m[2]);
    if (from === 'delivery' && day < 1) return { ok: false, error: `Line ${i + 1}: days after sending must be 1 or more (a day before the due date is "due-3").` };
    if (day > 365 || day < -365) return { ok: false, error: `Line ${i + 1}: ${day} is more than a year away.` };
    const duplicate = steps.find((s) => s.day === day && s.from === from);
    if (duplicate) return { ok: false, error: `Line ${i + 1}: day ${from === 'due' ? `due${day >= 0 ? '+' : ''}${day}` : day} appears twice.` };
    steps.push({ day, from, tone: m[3]!.toLowerCase() as ReminderTone });
  }
  return { ok: true, steps };
}
