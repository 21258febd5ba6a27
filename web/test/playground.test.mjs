// The playground at / runs a query against the server and shows the result, with no request
// leaving the machine.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, newPage, screenshot, offOrigin } from './harness.mjs';

let server, browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('playground runs the first README example and shows its answer', async () => {
  const { page, requests, errors } = await newPage(browser, server.url);
  await page.goto(server.url + '/');
  // The default tabs are the README's named examples, the write-token tab last.
  const tabs = page.locator('.graphiql-tab');
  await tabs.first().waitFor();
  const names = await tabs.allInnerTexts();
  assert.ok(names.some((n) => n.includes('WhoAgreedToTheEnergyCeasefire')), `tabs: ${names}`);
  assert.ok(names.some((n) => n.includes('UpsertExampleSource')), `tabs: ${names}`);
  await page.locator('.graphiql-execute-button').click();
  const result = page.locator('.result-window');
  await result.getByText('30-day pause on strikes on energy infrastructure').first().waitFor({ timeout: 30_000 });
  await screenshot(page, 'playground.png');
  // CodeMirror draws only the lines in view; its instance holds the whole response.
  const body = JSON.parse(await page.evaluate(() => document.querySelector('.result-window .CodeMirror').CodeMirror.getValue()));
  assert.equal(body.errors, undefined);
  assert.equal(body.data.entity.agreementStatus, 'AGREED');
  const agreed = body.data.entity.relations.edges.map((e) => e.node.from.name);
  assert.ok(agreed.includes('Vladimir Putin') && agreed.includes('Volodymyr Zelenskyy'), `agreed: ${agreed}`);

  const icon = await page.request.get(server.url + '/favicon.ico');
  assert.equal(icon.status(), 200);
  assert.equal(icon.headers()['content-type'], 'image/vnd.microsoft.icon');

  assert.deepEqual(offOrigin(requests, server.url), [], 'requests that left the server');
  assert.ok(requests.some((u) => u === server.url + '/graphql'), `no /graphql request: ${requests}`);
  assert.deepEqual(errors, [], 'page errors');
});
