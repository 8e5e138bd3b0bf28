// isLoopback: 127.0.0.0/8, ::ffff:127.x and ::1 only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLoopback } from '../../src/util/net.ts';

test('isLoopback accepts loopback addresses only', () => {
  for (const ip of ['127.0.0.1', '127.9.8.7', '::1', '::ffff:127.0.0.1', '::FFFF:127.1.2.3'])
    assert.equal(isLoopback(ip), true, ip);
  for (const ip of [
    '10.0.0.1',
    '192.168.1.5',
    '::ffff:10.0.0.1',
    '::2',
    'fe80::1',
    '',
    '128.0.0.1',
    'localhost',
  ])
    assert.equal(isLoopback(ip), false, ip);
});
