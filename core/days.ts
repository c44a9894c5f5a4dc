/**
 * UTC days (`YYYY-MM-DD`), the unit of the change feed and of snapshots: every day computation of the
 * project is one of these. Pure: callers pass the time in.
 */

// RFC 3339 as the official registry's time.Parse(time.RFC3339) reads it (uppercase T and Z).
const RFC3339 = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?(?:Z|([+-])(\d\d):(\d\d))$/;
const DAY = /^\d{4}-\d\d-\d\d$/;

/**
 * The UTC day of an instant. Years before 1000 keep four digits, and an offset can carry a
 * timestamp of year 0 into year −1 (`-000001-12-31`, as toISOString writes it).
 *
 * @example utcDay(new Date('2026-12-01T23:59:59Z')) // '2026-12-01'
 */
export function utcDay(date: Date): string {
  const y = date.getUTCFullYear();
  const yyyy = y < 0 ? `-${String(-y).padStart(6, '0')}` : String(y).padStart(4, '0');
  return `${yyyy}-${String(date.getUTCMonth() + 1).padStart(2, '0')}-${String(date.getUTCDate()).padStart(2, '0')}`;
}

/**
 * The day `days` after (or, negative, before) `day`.
 *
 * @example addDays('2024-02-28', 1) // '2024-02-29'
 * @example addDays('2026-01-01', -30) // '2025-12-02'
 */
export function addDays(day: string, days: number): string {
  if (!DAY.test(day)) throw new RangeError(`not a day (YYYY-MM-DD): ${JSON.stringify(day)}`);
  const d = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) throw new RangeError(`not a day (YYYY-MM-DD): ${JSON.stringify(day)}`);
  d.setUTCDate(d.getUTCDate() + days);
  return utcDay(d);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * The UTC day (`YYYY-MM-DD`) of an RFC 3339 timestamp, honouring its offset. Throws RangeError for
 * anything the official registry's RFC 3339 parser would refuse.
 *
 * @example dayOf('2025-10-02T01:30:00+02:00') // '2025-10-01'
 */
export function dayOf(isoTimestamp: string): string {
  const m = RFC3339.exec(isoTimestamp);
  if (!m) throw new RangeError(`not an RFC 3339 timestamp: ${JSON.stringify(isoTimestamp)}`);
  const [year, month, day, hour, minute, second, offHour, offMinute] = [
    m[1],
    m[2],
    m[3],
    m[4],
    m[5],
    m[6],
    m[8],
    m[9],
  ].map(Number) as [number, number, number, number, number, number, number, number];
  const inRange =
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    (m[7] === undefined || (offHour <= 23 && offMinute <= 59));
  if (!inRange) throw new RangeError(`not an RFC 3339 timestamp: ${JSON.stringify(isoTimestamp)}`);
  const offset = m[7] === undefined ? 0 : (m[7] === '-' ? -1 : 1) * (offHour * 60 + offMinute);
  // setUTCFullYear, unlike Date.UTC, does not read years 0..99 as 1900..1999.
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute - offset);
  return utcDay(utc);
}
