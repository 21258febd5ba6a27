// The explorer at /explore finds Sloviansk, draws its neighbourhood, and on clicking the
// attack on Sloviansk's energy infrastructure shows the competing claims with their sources;
// nothing it loads comes from anywhere but the server. Seed ids are not assumed: the test
// goes by names, as a person would.
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

const idle = (page) => page.waitForFunction(() => !document.body.dataset.busy && window.factgraphExplorer);

test('explorer: search, neighbourhood, the attack and its competing claims', async () => {
  const { page, requests, errors } = await newPage(browser, server.url);
  await page.goto(server.url + '/explore');
  await idle(page);
  await page.fill('#q', 'Sloviansk');
  await page.click('#search button[type=submit]');
  const hit = page.locator('#hits button', { hasText: /^location\s*Sloviansk$/i });
  await hit.waitFor();
  await hit.click();
  await page.waitForFunction(() => window.factgraphExplorer.cy.nodes('.centre').length === 1);
  await idle(page);

  const drawn = await page.evaluate(() => {
    const { cy } = window.factgraphExplorer;
    return {
      centre: cy.nodes('.centre').data('label'),
      labels: cy.nodes().map((n) => n.data('label')),
      edges: cy.edges().map((e) => ({ id: e.id(), type: e.data('type'), status: e.data('status'),
        source: e.source().data('label'), target: e.target().data('label'),
        dashed: e.style('line-style') !== 'solid', colour: e.style('line-color') })),
    };
  });
  assert.equal(drawn.centre, 'Sloviansk');
  const about = await page.locator('#detail').innerText();
  assert.match(about, /Sloviansk/);
  assert.doesNotMatch(about, /\b(null|undefined)\b/, 'absent fields are left out, not printed');
  assert.ok(drawn.labels.length > 5, `drawn: ${drawn.labels}`);
  const attack = drawn.edges.find((e) => e.type === 'ATTACKED' && /Sloviansk/.test(e.target));
  assert.ok(attack, `no attack on Sloviansk drawn: ${JSON.stringify(drawn.edges)}`);
  // Claims that are not confirmed are drawn apart from confirmed ones.
  const confirmed = drawn.edges.find((e) => e.status === 'CONFIRMED');
  assert.ok(confirmed && !confirmed.dashed, 'confirmed relations are solid');
  for (const e of drawn.edges.filter((x) => x.status !== 'CONFIRMED')) {
    assert.ok(e.dashed && e.colour !== confirmed.colour, `${e.status} ${e.id} is drawn like a confirmed one`);
  }
  await screenshot(page, 'explorer-neighbourhood.png');

  // Click the attack's edge where it is drawn, as a person would.
  const box = await page.locator('#graph').boundingBox();
  // A point on the edge that no node covers (the middle, unless a node sits on it).
  const mid = await page.evaluate((id) => {
    const { cy } = window.factgraphExplorer;
    const e = cy.getElementById(id);
    const [a, b] = [e.renderedSourceEndpoint(), e.renderedTargetEndpoint()];
    const candidates = [e.renderedMidpoint(), ...[0.4, 0.6, 0.3, 0.7, 0.2, 0.8].map((f) => ({ x: a.x + (b.x - a.x) * f, y: a.y + (b.y - a.y) * f }))];
    for (const p of candidates) {
      const covered = cy.nodes(':visible').some((n) => {
        const bb = n.renderedBoundingBox({ includeLabels: false });
        return p.x >= bb.x1 - 2 && p.x <= bb.x2 + 2 && p.y >= bb.y1 - 2 && p.y <= bb.y2 + 2;
      });
      if (!covered) return p;
    }
    return e.renderedMidpoint();
  }, attack.id);
  await page.mouse.click(box.x + mid.x, box.y + mid.y);
  const claims = page.locator('#detail .claim');
  await page.waitForFunction(() => document.querySelectorAll('#detail .claim').length >= 2);
  await idle(page);
  const cards = await claims.evaluateAll((els) => els.map((el) => ({
    text: el.innerText,
    status: el.querySelector('.status')?.textContent,
    sources: [...el.querySelectorAll('.source')].map((li) => li.innerText),
    links: [...el.querySelectorAll('.source a')].map((a) => a.getAttribute('href')),
  })));
  const first = cards[0];
  assert.match(first.text, /Sloviansk/);
  assert.ok(first.status !== 'CONFIRMED', `the attack is someone's claim: ${first.status}`);
  assert.match(first.text, /claimed by/);
  assert.ok(first.sources.length >= 1, 'the attack lists its sources');
  assert.match(await page.locator('#detail').innerText(), /Competing claims/i);
  const competing = cards.slice(1);
  assert.ok(competing.length >= 1, 'competing claims shown');
  const attacks = cards.filter((c) => /attacked/.test(c.text));
  assert.ok(attacks.length >= 2, `two competing attack claims: ${cards.map((c) => c.text.split('\n')[0])}`);
  for (const c of cards) {
    assert.ok(c.sources.length >= 1, `a claim without sources: ${c.text}`);
    // A source with a url is a link, and only to http(s).
    for (const href of c.links) assert.match(href, /^https?:\/\//);
  }
  assert.doesNotMatch(await page.locator('#detail').innerText(), /\b(null|undefined)\b/);
  await screenshot(page, 'explorer-claims.png');

  // Filters: hiding ATTACKED hides the attack; the status filter hides unconfirmed claims.
  const shown = (visible) => page.waitForFunction(([id, v]) => window.factgraphExplorer.cy.getElementById(id).visible() === v, [attack.id, visible], { timeout: 10_000 });
  await page.locator('#types input[value=ATTACKED]').uncheck();
  await shown(false);
  await page.locator('#types input[value=ATTACKED]').check();
  await shown(true);
  await page.locator(`#statuses input[value=${attack.status}]`).uncheck();
  await shown(false);
  await page.locator(`#statuses input[value=${attack.status}]`).check();
  await shown(true);

  // Clicking a node expands it.
  const before = await page.evaluate(() => window.factgraphExplorer.cy.nodes().length);
  const far = await page.evaluate(() => {
    const { cy } = window.factgraphExplorer;
    const n = cy.nodes().filter((x) => !x.hasClass('centre')).max((x) => x.data('distance')).ele;
    return { id: n.id(), pos: n.renderedPosition() };
  });
  await page.mouse.click(box.x + far.pos.x, box.y + far.pos.y);
  await page.waitForFunction((id) => window.factgraphExplorer.cy.getElementById(id).hasClass('expanded'), far.id);
  await idle(page);
  const after = await page.evaluate(() => window.factgraphExplorer.cy.nodes().length);
  assert.ok(after >= before, `expanding lost nodes: ${before} -> ${after}`);

  assert.deepEqual(offOrigin(requests, server.url), [], 'requests that left the server');
  assert.deepEqual(errors, [], 'page errors');
});
