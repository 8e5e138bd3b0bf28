// The guard of requests to URLs users choose: which addresses are on the public Internet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPublicAddress, nonPublicReason } from '../../src/util/publicaddress.ts';

test('public IPv4 and IPv6 addresses pass', () => {
  for (const ip of [
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '11.0.0.1',
    '2001:4860:4860::8888',
    '2606:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
  ])
    assert.equal(nonPublicReason(ip), null, ip);
});

test('loopback, private, link-local, CGNAT, ULA, multicast and the rest are refused, with why', () => {
  const cases: [string, RegExp][] = [
    ['127.0.0.1', /loopback/],
    ['127.255.0.9', /loopback/],
    ['10.1.2.3', /private/],
    ['172.16.0.1', /private/],
    ['172.31.255.255', /private/],
    ['192.168.1.1', /private/],
    ['169.254.169.254', /link-local/],
    ['100.64.0.1', /CGNAT/],
    ['100.127.255.255', /CGNAT/],
    ['0.0.0.0', /unspecified/],
    ['0.1.2.3', /unspecified/],
    ['224.0.0.1', /multicast/],
    ['255.255.255.255', /broadcast/],
    ['::1', /loopback/],
    ['::', /unspecified/],
    ['fe80::1', /link-local/],
    ['febf::1', /link-local/],
    ['fc00::1', /unique local/],
    ['fd12:3456::1', /unique local/],
    ['ff02::1', /multicast/],
    // IPv6 forms that carry an IPv4 address are judged by it too.
    ['::ffff:127.0.0.1', /loopback, inside an IPv6/],
    ['::ffff:7f00:1', /loopback, inside an IPv6/],
    ['::FFFF:10.0.0.1', /private.*, inside an IPv6/],
    ['::ffff:169.254.169.254', /link-local, inside an IPv6/],
    ['::ffff:0.0.0.0', /unspecified/],
    ['64:ff9b::a00:1', /private.*, inside an IPv6/],
    ['2002:c0a8:101::1', /private.*, inside an IPv6/],
    ['::127.0.0.1', /IPv4-compatible/],
    ['localhost', /not an IP address/],
    ['', /not an IP address/],
  ];
  for (const [ip, why] of cases) {
    const r = nonPublicReason(ip);
    assert.match(r ?? 'public', why, ip);
    assert.equal(isPublicAddress(ip), false, ip);
  }
});
