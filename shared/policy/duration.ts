// Durations as Go and etcd users write them ("720h", "1h30m", "90s"), plus "d" for days.

const UNIT_SECONDS: Record<string, number> = { d: 86_400, h: 3_600, m: 60, s: 1 };
const DURATION = /^(?:\d+(?:\.\d+)?[dhms])+$/;
const PART = /(\d+(?:\.\d+)?)([dhms])/g;

/** What every front says of a duration it cannot use: a certificate lives at least a second. */
export const DURATION_RULE = 'a duration of at least 1s, such as 90s, 24h, 1h30m or 30d';

/** Whole seconds (fractions rounded), or undefined when the text is not a duration of at least 1s. */
export function parseDuration(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined;
  let seconds = 0;
  for (const [, amount, unit] of text.matchAll(PART))
    seconds += Number(amount) * (UNIT_SECONDS[unit as string] ?? 0);
  if (!(seconds >= 1)) return undefined;
  const whole = Math.round(seconds);
  return Number.isSafeInteger(whole) ? whole : undefined;
}

/** The shortest exact form: 2592000 → "720h", 5400 → "1h30m". */
export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3_600);
  const m = Math.floor((seconds % 3_600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || seconds === 0 ? `${s}s` : ''}`;
}
