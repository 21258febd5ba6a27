// The graph explorer at /explore. It reads the public GraphQL API only (/graphql, the same
// queries any client may send): full-text search, neighbourhoods, relations with their
// provenance. Drawing is cytoscape.js on a canvas, which stays usable at the API's cap of
// 1,000 nodes with linear-time layouts (rings or a spiral by distance) and edges hidden while
// panning.
import cytoscape from 'cytoscape';
import './explorer.css';

const KIND_COLOURS = {
  PERSON: '#e8604c', COUNTRY: '#2f6fd6', ORGANIZATION: '#7b5cd6', AGREEMENT: '#f2b134',
  INFRASTRUCTURE: '#3fae86', LOCATION: '#3aa0c8', EVENT: '#c85c9e',
};
// Confirmed relations are solid; everything that is only someone's claim is broken and coloured.
const STATUS_STYLES = {
  CONFIRMED: { color: '#4a5866', style: 'solid', width: 2 },
  CLAIMED: { color: '#2f6fd6', style: 'dashed', width: 2.5 },
  ALLEGED: { color: '#e08a00', style: 'dashed', width: 3 },
  DISPUTED: { color: '#d2392b', style: 'dashed', width: 3 },
  DENIED: { color: '#8e2a8e', style: 'dotted', width: 3 },
};

const CLAIM_FIELDS = `fragment ExplorerClaim on Relation {
  id type status role description quote confidence
  from { id name kind } to { id name kind } claimedBy { id name }
  occurredAt { at precision note } validFrom { at precision } validTo { at precision }
  sources { id title url publisher publishedAt { at precision } }
}`;

const Q = {
  schema: `query ExplorerSchema {
    kinds: __type(name: "EntityKind") { enumValues { name } }
    types: __type(name: "RelationType") { enumValues { name } }
    statuses: __type(name: "ClaimStatus") { enumValues { name } }
  }`,
  search: `query ExplorerSearch($query: String!, $kinds: [EntityKind!]) {
    search(query: $query, kinds: $kinds, first: 20) { score entity { id name kind } }
  }`,
  neighborhood: `query ExplorerNeighborhood($id: ID!, $depth: Int!, $limit: Int!) {
    neighborhood(id: $id, depth: $depth, limit: $limit) {
      truncated
      nodes { entityId label kind distance }
      edges { id source target type status relation { occurredAt { at } validFrom { at } } }
    }
  }`,
  entity: `query ExplorerEntity($id: ID!) {
    entity(id: $id) {
      id name kind description category aliases
      sources { id title url publisher }
      degree
    }
  }`,
  relation: `query ExplorerRelation($id: ID!) {
    relation(id: $id) { ...ExplorerClaim disputes { ...ExplorerClaim } disputedBy { ...ExplorerClaim } }
  }
  ${CLAIM_FIELDS}`,
  sameDay: `query ExplorerSameDayClaims($types: [RelationType!], $from: DateTime!, $to: DateTime!) {
    relations(filter: { types: $types, occurredFrom: $from, occurredTo: $to }, first: 50) {
      edges { node { ...ExplorerClaim } }
    }
  }
  ${CLAIM_FIELDS}`,
};

async function gql(name, variables = {}) {
  const res = await fetch('graphql', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ operationName: Q[name].match(/query (\w+)/)[1], query: Q[name], variables }),
  });
  const body = await res.json().catch(() => ({ errors: [{ message: `HTTP ${res.status}` }] }));
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data;
}

// h builds DOM nodes; text always goes in as text, never as HTML, since anyone with the write
// token can put anything into a name or a quote.
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c != null && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}
const $ = (id) => document.getElementById(id);
const kindBadge = (kind) => h('span', { class: 'kind', style: `background:${KIND_COLOURS[kind] || '#888'}` }, kind.toLowerCase());
const day = (iso) => (iso ? iso.slice(0, 10) : null);
// when prints a PointInTime no more precisely than it is known.
function when(p) {
  if (!p) return null;
  const cut = { YEAR: 4, MONTH: 7, DAY: 10 }[p.precision];
  const s = cut ? p.at.slice(0, cut) : p.at.replace('T', ' ').replace(/:00Z$|Z$/, ' UTC');
  return p.note ? `${s} — ${p.note}` : s;
}

const cy = cytoscape({
  container: $('graph'),
  minZoom: 0.05,
  maxZoom: 4,
  wheelSensitivity: 0.3,
  // At hundreds of nodes, redrawing every edge while panning is what makes a canvas sluggish.
  hideEdgesOnViewport: true,
  textureOnViewport: true,
  // Colours and line styles are data on each element, set when it is added: cytoscape caches
  // data-mapped styles, while a function per property is called again for every element on
  // every redraw, which is what makes 1,000 nodes slow.
  style: [
    { selector: 'node', style: {
      'background-color': 'data(colour)',
      label: 'data(label)', 'font-size': 10, 'text-valign': 'bottom', 'text-margin-y': 3,
      width: 18, height: 18, color: '#1d2733', 'min-zoomed-font-size': 7,
      'text-wrap': 'ellipsis', 'text-max-width': 140,
    } },
    { selector: 'node.centre', style: { width: 30, height: 30, 'border-width': 3, 'border-color': '#1d2733', 'font-weight': 'bold' } },
    { selector: 'node.expanded', style: { 'border-width': 2, 'border-color': '#1d2733' } },
    { selector: 'node:selected', style: { 'overlay-color': '#1f3a5f', 'overlay-opacity': 0.2, 'overlay-padding': 6 } },
    { selector: 'edge', style: {
      'curve-style': 'bezier', 'target-arrow-shape': 'triangle', 'arrow-scale': 0.8,
      width: 'data(width)', 'line-color': 'data(colour)', 'target-arrow-color': 'data(colour)',
      'line-style': 'data(lineStyle)', 'line-dash-pattern': [7, 4],
      label: 'data(type)', 'font-size': 7, color: '#5b6b7c', 'text-rotation': 'autorotate',
      'min-zoomed-font-size': 9, 'text-background-color': '#fff', 'text-background-opacity': 0.8,
    } },
    { selector: 'edge:selected', style: { width: 5, 'overlay-color': '#1f3a5f', 'overlay-opacity': 0.15 } },
    { selector: '.hidden', style: { display: 'none' } },
  ],
});

const state = { types: new Set(), statuses: new Set(), dates: [], centre: null, busy: 0 };

function checkboxes(container, names, set, colour) {
  container.replaceChildren(...names.map((name) => {
    set.add(name);
    const box = h('input', { type: 'checkbox', checked: true, value: name, onchange: (ev) => {
      ev.target.checked ? set.add(name) : set.delete(name);
      applyFilters();
    } });
    box.checked = true;
    return h('label', {}, box, ' ', colour ? h('span', { class: 'line', style: `border-top: 2px ${STATUS_STYLES[name]?.style || 'solid'} ${STATUS_STYLES[name]?.color || '#999'}; display:inline-block; width:18px; vertical-align:3px; margin-right:4px` }) : null, name.toLowerCase().replaceAll('_', ' '));
  }));
}

async function init() {
  const s = await gql('schema');
  const kinds = s.kinds.enumValues.map((v) => v.name);
  $('kind').append(...kinds.map((k) => h('option', { value: k }, k.toLowerCase())));
  $('legend').replaceChildren(...kinds.map((k) => h('li', {}, h('span', { class: 'dot', style: `background:${KIND_COLOURS[k] || '#888'}` }), k.toLowerCase())));
  checkboxes($('types'), s.types.enumValues.map((v) => v.name), state.types, false);
  checkboxes($('statuses'), s.statuses.enumValues.map((v) => v.name), state.statuses, true);
  const id = new URLSearchParams(location.search).get('id');
  if (id) await load(id);
}

async function busy(fn) {
  state.busy++;
  document.body.dataset.busy = 'true';
  try {
    return await fn();
  } catch (err) {
    $('detail').replaceChildren(h('p', { class: 'error' }, String(err.message || err)));
  } finally {
    if (--state.busy === 0) delete document.body.dataset.busy;
  }
}

$('search').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const query = $('q').value.trim();
  if (!query) return;
  busy(async () => {
    const kind = $('kind').value;
    const d = await gql('search', { query, kinds: kind ? [kind] : null });
    const hits = d.search;
    $('hits').replaceChildren(...(hits.length ? hits.map((hit) => h('li', {},
      h('button', { type: 'button', 'data-id': hit.entity.id, onclick: () => busy(() => load(hit.entity.id)) },
        kindBadge(hit.entity.kind), hit.entity.name))) : [h('li', { class: 'muted' }, 'Nothing found.')]));
  });
});

function limit() {
  return Math.max(1, Math.min(1000, Number($('limit').value) || 150));
}

// addGraph merges a neighbourhood into the drawing. distances are kept from the first centre:
// a node reached again through an expansion keeps the smaller distance.
function addGraph(n, base) {
  cy.batch(() => {
    for (const node of n.nodes) {
      const existing = cy.getElementById(node.entityId);
      const distance = base + node.distance;
      if (existing.nonempty()) {
        if (distance < existing.data('distance')) existing.data('distance', distance);
        continue;
      }
      cy.add({ group: 'nodes', data: { id: node.entityId, label: node.label, kind: node.kind, distance, colour: KIND_COLOURS[node.kind] || '#888' } });
    }
    for (const e of n.edges) {
      if (cy.getElementById(e.id).nonempty()) continue;
      const at = e.relation.occurredAt?.at ?? e.relation.validFrom?.at ?? null;
      const st = STATUS_STYLES[e.status] || { color: '#999', style: 'solid', width: 2 };
      cy.add({ group: 'edges', data: { id: e.id, source: e.source, target: e.target, type: e.type, status: e.status, day: day(at),
        colour: st.color, lineStyle: st.style, width: st.width } });
    }
  });
}

async function load(id) {
  const d = await gql('neighborhood', { id, depth: Number($('depth').value), limit: limit() });
  cy.elements().remove();
  state.centre = id;
  addGraph(d.neighborhood, 0);
  cy.getElementById(id).addClass('centre');
  history.replaceState(null, '', `?id=${encodeURIComponent(id)}`);
  refreshTimes();
  layout();
  applyFilters(d.neighborhood.truncated);
  await showEntity(id);
}

async function expand(node) {
  const d = await gql('neighborhood', { id: node.id(), depth: 1, limit: limit() });
  const before = cy.elements().length;
  addGraph(d.neighborhood, node.data('distance'));
  node.addClass('expanded');
  refreshTimes();
  if (cy.elements().length !== before) layout();
  applyFilters(d.neighborhood.truncated);
}

function layout() {
  const n = cy.nodes().length;
  if (n > 60) {
    sunflower();
  } else {
    const maxDistance = cy.nodes().max((x) => x.data('distance')).value || 1;
    cy.layout({ name: 'concentric', concentric: (x) => maxDistance - x.data('distance'), levelWidth: () => 1,
      minNodeSpacing: 70, animate: false, avoidOverlap: true, padding: 30 }).run();
  }
  if (cy.zoom() > 1.3) cy.zoom({ level: 1.3, position: cy.getElementById(state.centre).position() });
}

// sunflower places big drawings in linear time: nodes sorted by distance (then kind, then id)
// on a Fermat spiral, so nearer entities sit inside, the area grows with the count and no two
// nodes overlap. A ring per distance, as for small drawings, would put hundreds of nodes on
// one circle too wide to read.
function sunflower() {
  const golden = Math.PI * (3 - Math.sqrt(5));
  const order = cy.nodes().sort((a, b) => a.data('distance') - b.data('distance') ||
    a.data('kind').localeCompare(b.data('kind')) || a.id().localeCompare(b.id()));
  const pos = new Map();
  order.forEach((node, i) => {
    const r = 34 * Math.sqrt(i);
    pos.set(node.id(), { x: r * Math.cos(i * golden), y: r * Math.sin(i * golden) });
  });
  cy.layout({ name: 'preset', positions: (node) => pos.get(node.id()), animate: false, fit: true, padding: 30 }).run();
}

function forceLayout() {
  cy.layout({ name: 'cose', animate: false, randomize: true, nodeRepulsion: () => 400000, idealEdgeLength: () => 80,
    nodeOverlap: 20, gravity: 60, numIter: 1000, padding: 30 }).run();
}

function refreshTimes() {
  const days = new Set();
  cy.edges().forEach((e) => { if (e.data('day')) days.add(e.data('day')); });
  state.dates = [...days].sort();
  const slider = $('time');
  slider.max = String(state.dates.length);
  slider.value = String(state.dates.length);
  timeLabel();
}

function timeLabel() {
  const v = Number($('time').value);
  $('timeLabel').textContent = v >= state.dates.length ? 'all dates' : `up to ${state.dates[v]}`;
}

// applyFilters hides what the filters exclude. Visibility is worked out here, from data, not
// by asking cytoscape which elements are visible, which would compute styles mid-batch.
function applyFilters(truncated) {
  const v = Number($('time').value);
  const cutoff = v >= state.dates.length ? null : state.dates[v];
  const undated = $('undated').checked;
  const shownEdges = new Set();
  let shownNodes = 0;
  cy.batch(() => {
    cy.edges().forEach((e) => {
      const d = e.data('day');
      const show = state.types.has(e.data('type')) && state.statuses.has(e.data('status')) &&
        (d ? cutoff === null || d <= cutoff : undated);
      if (show) shownEdges.add(e.id());
      if (e.hasClass('hidden') === show) e.toggleClass('hidden', !show);
    });
    cy.nodes().forEach((n) => {
      const edges = n.connectedEdges();
      const keep = n.hasClass('centre') || n.hasClass('expanded') || edges.empty() || edges.some((e) => shownEdges.has(e.id()));
      if (keep) shownNodes++;
      if (n.hasClass('hidden') === keep) n.toggleClass('hidden', !keep);
    });
  });
  if (truncated !== undefined) state.truncated = truncated;
  $('summary').textContent = `${shownNodes} of ${cy.nodes().length} entities, ${shownEdges.size} of ${cy.edges().length} relations shown` +
    (state.truncated ? ' (the server cut the neighbourhood at the limit)' : '');
}

$('time').addEventListener('input', () => { timeLabel(); applyFilters(); });
$('undated').addEventListener('change', () => applyFilters());
$('relayout').addEventListener('click', () => (cy.nodes().length <= 300 ? forceLayout() : layout()));
$('clear').addEventListener('click', () => { cy.elements().remove(); state.centre = null; refreshTimes(); applyFilters(false); });
$('depth').addEventListener('change', () => state.centre && busy(() => load(state.centre)));

let player = null;
$('play').addEventListener('click', () => {
  if (player) { clearInterval(player); player = null; $('play').textContent = '▶ Replay'; return; }
  if (!state.dates.length) return;
  const slider = $('time');
  slider.value = '0';
  timeLabel(); applyFilters();
  $('play').textContent = '■ Stop';
  player = setInterval(() => {
    const v = Number(slider.value) + 1;
    slider.value = String(v);
    timeLabel(); applyFilters();
    if (v >= state.dates.length) { clearInterval(player); player = null; $('play').textContent = '▶ Replay'; }
  }, 900);
});

cy.on('tap', 'node', (ev) => busy(async () => {
  await showEntity(ev.target.id());
  await expand(ev.target);
}));
cy.on('tap', 'edge', (ev) => busy(() => showRelation(ev.target.id())));

async function showEntity(id) {
  const d = await gql('entity', { id });
  const e = d.entity;
  if (!e) return;
  show(
    h('h3', {}, kindBadge(e.kind), e.name),
    e.category ? h('p', { class: 'muted' }, e.category) : null,
    e.description ? h('p', {}, e.description) : null,
    e.aliases?.length ? h('p', { class: 'muted' }, 'Also: ', e.aliases.join(', ')) : null,
    h('p', { class: 'muted' }, `${e.degree} relations · ${e.id}`),
    e.sources.length ? h('h4', {}, 'Sources') : null,
    e.sources.length ? h('ul', { class: 'sources' }, e.sources.map(sourceItem)) : null,
    h('p', { class: 'muted' }, 'Its neighbours are now drawn; click a relation for its provenance.'),
  );
}

// show puts a panel into the detail pane; absent parts (null) are left out, not printed.
function show(...parts) {
  $('detail').replaceChildren(...parts.flat().filter((p) => p != null && p !== false));
}

function sourceItem(s) {
  // Only http(s) urls become links: a javascript: url in the data must not run here.
  const safe = s.url && /^https?:\/\//i.test(s.url);
  const title = safe ? h('a', { href: s.url, target: '_blank', rel: 'noopener noreferrer' }, s.title) : s.title;
  return h('li', { class: 'source' }, title, s.publisher ? h('span', { class: 'muted' }, ` — ${s.publisher}`) : null,
    s.publishedAt ? h('span', { class: 'muted' }, `, ${when(s.publishedAt)}`) : null);
}

function claimCard(r, heading) {
  const row = (k, v) => (v == null || v === '' ? [] : [h('dt', {}, k), h('dd', {}, v)]);
  return h('div', { class: `claim ${r.status}`, 'data-relation': r.id },
    heading ? h('div', { class: 'muted' }, heading) : null,
    h('div', {}, h('strong', {}, r.from.name), ` ${r.type.toLowerCase().replaceAll('_', ' ')} `, h('strong', {}, r.to.name)),
    h('div', { class: 'status', style: `color:${STATUS_STYLES[r.status]?.color}` }, r.status),
    r.quote ? h('blockquote', {}, `“${r.quote}”`) : null,
    h('dl', {},
      row('claimed by', r.claimedBy?.name ?? (r.status === 'CONFIRMED' ? null : 'unattributed')),
      row('confidence', r.confidence != null ? r.confidence.toFixed(2) : null),
      row('occurred', when(r.occurredAt)),
      row('valid from', when(r.validFrom)),
      row('valid to', when(r.validTo)),
      row('role', r.role),
      row('note', r.description),
      row('sources', r.sources.length ? h('ul', { class: 'sources' }, r.sources.map(sourceItem)) : 'none'),
    ),
  );
}

async function showRelation(id) {
  const { relation: r } = await gql('relation', { id });
  if (!r) return;
  const competing = new Map();
  for (const x of r.disputes) competing.set(x.id, [x, 'disputed by this claim']);
  for (const x of r.disputedBy) competing.set(x.id, [x, 'disputes this claim']);
  // Claims of the same type on the same day are the other side's version of events (an
  // attack claimed by each party), so they are shown beside it.
  if (r.occurredAt?.at) {
    const from = `${day(r.occurredAt.at)}T00:00:00Z`;
    const to = new Date(Date.parse(from) + 86400000).toISOString().replace('.000Z', 'Z');
    const d = await gql('sameDay', { types: [r.type], from, to });
    for (const { node } of d.relations.edges) {
      if (node.id !== r.id && !competing.has(node.id)) competing.set(node.id, [node, `another ${r.type.toLowerCase()} claim that day`]);
    }
  }
  show(
    h('h3', {}, 'Relation'),
    claimCard(r),
    competing.size ? h('h4', {}, `Competing claims (${competing.size})`) : null,
    ...[...competing.values()].map(([x, why]) => claimCard(x, why)),
  );
  cy.$(':selected').unselect();
  cy.getElementById(id).select();
}

// For tests and the curious: the drawing and the loader.
window.factgraphExplorer = { cy, load: (id) => busy(() => load(id)) };
await busy(init);
