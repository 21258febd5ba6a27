// The explorer at the API's cap: a hub with 999 neighbours, drawn whole (1,000 nodes). The test
// asserts what is drawn, never how fast; the timings it prints are a measurement for the
// README (this machine, shared with other work, so read them as an order of magnitude).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, newPage, screenshot } from './harness.mjs';

let server, browser;
before(async () => {
  server = await startServer(['-no-seed']);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function gql(query, variables) {
  const res = await fetch(server.url + '/graphql', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = await res.json();
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body.data;
}

test('explorer draws and filters a 1,000-node neighbourhood', async (t) => {
  const kinds = ['PERSON', 'COUNTRY', 'ORGANIZATION', 'LOCATION', 'INFRASTRUCTURE', 'EVENT'];
  const statuses = ['CONFIRMED', 'CLAIMED', 'ALLEGED', 'DISPUTED', 'DENIED'];
  await gql('mutation Src($s: [SourceInput!]!) { upsertSources(input: $s) { created } }', { s: [{ id: 'source:scale', title: 'Scale test' }] });
  const ents = [{ id: 'organization:hub', kind: 'ORGANIZATION', name: 'Hub' }];
  const rels = [];
  for (let i = 0; i < 999; i++) {
    const id = `${kinds[i % kinds.length].toLowerCase()}:spoke-${i}`;
    ents.push({ id, kind: kinds[i % kinds.length], name: `Spoke ${i}` });
    rels.push({ id: `rel:spoke-${i}`, type: 'MEMBER_OF', from: id, to: 'organization:hub', status: statuses[i % statuses.length],
      sourceIds: ['source:scale'], occurredAt: { at: `2025-03-${String(1 + (i % 28)).padStart(2, '0')}T00:00:00Z`, precision: 'DAY' } });
  }
  await gql('mutation E($e: [EntityInput!]!) { upsertEntities(input: $e) { created } }', { e: ents });
  await gql('mutation R($r: [RelationInput!]!) { upsertRelations(input: $r) { created } }', { r: rels });

  const { page, errors } = await newPage(browser, server.url);
  await page.goto(server.url + '/explore');
  await page.waitForFunction(() => window.factgraphExplorer && !document.body.dataset.busy);
  await page.fill('#limit', '1000');
  await page.selectOption('#depth', '1');
  const ms = await page.evaluate(async () => {
    const t0 = performance.now();
    await window.factgraphExplorer.load('organization:hub');
    // Two animation frames: the canvas has drawn.
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return performance.now() - t0;
  });
  const drawn = await page.evaluate(() => ({ nodes: window.factgraphExplorer.cy.nodes(':visible').length, edges: window.factgraphExplorer.cy.edges(':visible').length }));
  assert.deepEqual(drawn, { nodes: 1000, edges: 999 });

  const filterMs = await page.evaluate(async () => {
    const t0 = performance.now();
    document.querySelector('#statuses input[value=CONFIRMED]').click();
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return performance.now() - t0;
  });
  const shown = await page.evaluate(() => window.factgraphExplorer.cy.edges(':visible').length);
  assert.equal(shown, 999 - 200, 'the CONFIRMED fifth is hidden');
  await screenshot(page, 'explorer-1000-nodes.png');
  assert.deepEqual(errors, []);
  t.diagnostic(`1,000 nodes: load, layout and first draw ${ms.toFixed(0)} ms; status filter and redraw ${filterMs.toFixed(0)} ms`);
});
