// A browser app on another origin calls /graphql with the headers Apollo Client sends (its
// CSRF-prevention preflight headers among them): Chromium's CORS preflight must let it through.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, newPage } from './harness.mjs';

let server, browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('cross-origin POST with Apollo, urql and tracing headers passes the preflight', async () => {
  // localhost and 127.0.0.1 are different origins to the browser, on the same server.
  const app = server.url.replace('127.0.0.1', 'localhost');
  const { page, requests } = await newPage(browser, app, server.url);
  // /healthz: a page without the UI's Content-Security-Policy, which would block the call.
  await page.goto(app + '/healthz');
  const answer = await page.evaluate(async (endpoint) => {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        'x-apollo-operation-name': 'CorsProbe',
        'apollo-require-preflight': 'true',
        'apollographql-client-name': 'web',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      },
      body: JSON.stringify({ query: 'query CorsProbe { stats { entities } }' }),
    });
    return { status: res.status, body: await res.json(), requestId: res.headers.get('x-request-id') };
  }, server.url + '/graphql');
  assert.equal(answer.status, 200);
  assert.ok(answer.body.data.stats.entities > 0, JSON.stringify(answer.body));
  assert.ok(answer.requestId, 'X-Request-Id is exposed to the page');
  assert.ok(requests.includes(server.url + '/graphql'), `requests: ${requests}`);
});
