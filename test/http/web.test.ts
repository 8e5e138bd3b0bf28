// The web app's files over HTTPS: the page for every app path with its own CSP and no-cache,
// content-hashed assets cached for a year and sent compressed, revalidation by ETag, and
// API paths never answered with the page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHttp } from '../../src/http/server.ts';
import { APP_CSP } from '../../src/http/web.ts';
import { makeCore } from '../helpers/stores.ts';
import { testCert } from '../helpers/tls.ts';
import { call } from './client.ts';

test('the web app is served from the HTTPS door', async () => {
  const h = await makeCore('sqlite');
  const doors = await startHttp(h.core, await testCert());
  const port = doors.ports.https;
  try {
    const page = await call(port, '/', { headers: { 'accept-encoding': 'br' } });
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.equal(page.headers['content-security-policy'], APP_CSP);
    assert.equal(page.headers['cache-control'], 'no-cache');
    assert.equal(page.headers['content-encoding'], 'br');
    const html = page.body.toString('utf8');
    const script = /<script type="module" crossorigin src="(\/assets\/[^"]+\.js)"/.exec(html);
    assert.ok(script, 'the page loads a content-hashed script');

    const deep = await call(port, '/mail/inbox');
    assert.equal(deep.status, 200);
    assert.equal(deep.body.toString('utf8'), html, 'app paths get the page');

    const again = await call(port, '/', {
      headers: { 'if-none-match': String(page.headers.etag) },
    });
    assert.equal(again.status, 304);

    const asset = await call(port, script[1]!, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(asset.status, 200);
    assert.match(String(asset.headers['content-type']), /^text\/javascript/);
    assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(asset.headers['content-encoding'], 'gzip');
    assert.ok(asset.wireBytes < asset.body.length / 2, 'compressed on the wire');

    assert.equal((await call(port, '/assets/nothing-0000.js')).status, 404);
    const api = await call(port, '/api/unknown');
    assert.equal(api.status, 404);
    assert.match(String(api.headers['content-type']), /problem\+json/);
    const manifest = await call(port, '/manifest.webmanifest');
    assert.equal((manifest.json() as { name: string }).name, 'Champa');
    const sw = await call(port, '/sw.js');
    assert.equal(sw.headers['cache-control'], 'no-cache', 'a new service worker is seen at once');
  } finally {
    await doors.close();
    await h.close();
  }
});
