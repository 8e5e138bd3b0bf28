// The wall clock of an instant in a time zone (util/timezone.ts): Vientiane's +07:00, a
// half-hour zone, a zone west of UTC, summer and winter time, UTC, and names that are not zones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTimeZone, localDay, offsetText, zonedParts } from '../../src/util/timezone.ts';

const at = Date.UTC(2026, 10, 27, 23, 30, 5); // 27 Nov 2026 23:30:05 UTC

test('Vientiane is seven hours ahead: the next morning', () => {
  assert.deepEqual(zonedParts(at, 'Asia/Vientiane'), {
    year: 2026,
    month: 11,
    day: 28,
    hour: 6,
    minute: 30,
    second: 5,
    offsetMinutes: 420,
  });
  assert.equal(localDay(at, 'Asia/Vientiane'), '2026-11-28');
  assert.equal(localDay(at, 'UTC'), '2026-11-27');
  assert.equal(zonedParts(at, 'UTC').offsetMinutes, 0);
});

test('half-hour offsets, zones west of UTC, summer time', () => {
  assert.equal(zonedParts(at, 'Asia/Kolkata').offsetMinutes, 330);
  assert.equal(offsetText(zonedParts(at, 'Asia/Kolkata').offsetMinutes), '+0530');
  assert.equal(offsetText(zonedParts(at, 'America/St_Johns').offsetMinutes), '-0330');
  assert.equal(localDay(Date.UTC(2026, 10, 28, 2, 0), 'America/St_Johns'), '2026-11-27');
  assert.equal(zonedParts(Date.UTC(2026, 6, 1), 'Europe/Berlin').offsetMinutes, 120);
  assert.equal(zonedParts(Date.UTC(2026, 0, 1), 'Europe/Berlin').offsetMinutes, 60);
  assert.equal(offsetText(0), '+0000');
  // Midnight itself belongs to the new day.
  assert.equal(zonedParts(Date.UTC(2026, 0, 1, 17, 0, 0), 'Asia/Vientiane').hour, 0);
});

test('names that are not time zones are told apart', () => {
  assert.equal(isTimeZone('Asia/Vientiane'), true);
  assert.equal(isTimeZone('UTC'), true);
  assert.equal(isTimeZone('Asia/Luang_Prabang'), false);
  assert.equal(isTimeZone('+07:00 Laos'), false);
});
