// Real clients against the server on loopback: Apollo Client with its normalised cache and
// relay-style pagination, and graphql-codegen's client preset generating types for every
// query in the README, checked by tsc.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, mkdir, rm } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApolloClient, InMemoryCache, HttpLink, gql } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';
import { generate } from '@graphql-codegen/cli';
import { startServer, outDir } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const web = path.join(here, '..');
let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

function client() {
  return new ApolloClient({
    link: new HttpLink({ uri: server.url + '/graphql' }),
    cache: new InMemoryCache({
      // Interfaces and unions, so that fragments on Entity match its kinds in the cache.
      possibleTypes: { Entity: ['Person', 'Country', 'Organization', 'Agreement', 'Infrastructure', 'Location', 'Event'] },
      typePolicies: { Query: { fields: { entities: relayStylePagination(['filter', 'orderBy']) } } },
    }),
  });
}

test('Apollo Client pages through entities with relayStylePagination and gets totalCount unique nodes', async () => {
  const c = client();
  const EntitiesPage = gql`query EntitiesPage($after: String) {
    entities(first: 7, after: $after, orderBy: { field: NAME }) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id name kind } }
    }
  }`;
  const first = await c.query({ query: EntitiesPage });
  let page = first.data.entities;
  const total = page.totalCount;
  assert.ok(total > 14, `seed has ${total} entities; paging needs several pages`);
  let pages = 1;
  while (page.pageInfo.hasNextPage) {
    // As fetchMore does: the page is written under the same cache field (`after` is not one of
    // its key arguments) and relayStylePagination merges it into the list.
    const more = await c.query({ query: EntitiesPage, variables: { after: page.pageInfo.endCursor }, fetchPolicy: 'network-only' });
    page = more.data.entities;
    assert.ok(++pages < 100, 'paging does not end');
  }
  const merged = c.readQuery({ query: EntitiesPage }).entities;
  const ids = merged.edges.map((e) => e.node.id);
  assert.equal(ids.length, total, `${ids.length} nodes for totalCount ${total}`);
  assert.equal(new Set(ids).size, total, 'duplicate nodes across pages');
  assert.equal(merged.pageInfo.hasNextPage, false);
});

test("Apollo's InMemoryCache keeps a neighbourhood right after reading another centre's", async () => {
  const c = client();
  const Neighborhood = gql`query Neighborhood($id: ID!) {
    neighborhood(id: $id, depth: 1, limit: 50) {
      truncated
      nodes { entityId label kind distance entity { id name } }
      edges { id source target type status }
    }
  }`;
  const ids = {};
  const search = await c.query({ query: gql`query FindCentres { a: search(query: "Sloviansk", kinds: [LOCATION]) { entity { id } } b: search(query: "Ukraine", kinds: [COUNTRY]) { entity { id } } }` });
  ids.a = search.data.a[0].entity.id;
  ids.b = search.data.b[0].entity.id;

  const fromA = (await c.query({ query: Neighborhood, variables: { id: ids.a } })).data.neighborhood;
  const fromB = (await c.query({ query: Neighborhood, variables: { id: ids.b } })).data.neighborhood;
  const distance = (n, id) => n.nodes.find((x) => x.entityId === id)?.distance;
  assert.equal(distance(fromA, ids.b), 1, 'Ukraine is one hop from Sloviansk');
  assert.equal(distance(fromB, ids.b), 0, 'Ukraine is the centre of its own neighbourhood');
  // Read the first again, from the cache only: it must not have taken the second's distances.
  const cachedA = c.readQuery({ query: Neighborhood, variables: { id: ids.a } }).neighborhood;
  assert.deepEqual(cachedA, fromA);
  assert.equal(distance(cachedA, ids.b), 1);
  assert.equal(distance(cachedA, ids.a), 0);
  // And the cache and the server agree.
  const fresh = (await c.query({ query: Neighborhood, variables: { id: ids.a }, fetchPolicy: 'network-only' })).data.neighborhood;
  assert.deepEqual(fresh, cachedA);
});

test('graphql-codegen (client preset) types every README query from the live schema, and tsc passes', async () => {
  const readme = await readFile(path.join(web, '..', 'README.md'), 'utf8');
  const queries = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.ok(queries.length >= 7, `README has ${queries.length} graphql blocks`);
  const dir = path.join(outDir, 'codegen');
  await rm(dir, { recursive: true, force: true });
  await mkdir(path.join(dir, 'documents'), { recursive: true });
  const names = [];
  for (const [i, q] of queries.entries()) {
    const [, kind, name] = /^(query|mutation|subscription)\s+(\w+)/m.exec(q) ?? [];
    assert.ok(name, `README query ${i + 1} is anonymous:\n${q}`);
    // The client preset names a result type after the operation and its kind: NameQuery,
    // NameMutation, NameSubscription.
    names.push(name + kind[0].toUpperCase() + kind.slice(1));
    await writeFile(path.join(dir, 'documents', `${name}.graphql`), q);
  }
  // The configuration the README shows: DateTime is an RFC 3339 string on the wire.
  await generate({
    schema: server.url + '/graphql',
    documents: [path.join(dir, 'documents', '*.graphql')],
    generates: { [path.join(dir, 'gql') + '/']: { preset: 'client', config: { scalars: { DateTime: 'string' }, useTypeImports: true, namingConvention: 'keep' } } },
    silent: true,
  }, true);
  const generated = await readFile(path.join(dir, 'gql', 'graphql.ts'), 'utf8');
  for (const n of names) assert.match(generated, new RegExp(`export type ${n} = `), `no type for ${n}`);
  // DateTime fields come out as string, not unknown or any.
  assert.match(generated, /occurredAt: \{ at: string,/);
  assert.doesNotMatch(generated, /\bat: (unknown|any)\b/);
  // A use of the types that only compiles if DateTime is a string and the shapes are right.
  await writeFile(path.join(dir, 'use.ts'), `
import type { WhoAgreedToTheEnergyCeasefireQuery, NeighborhoodOfSloviansk, } from './gql/graphql';
import { WhoAgreedToTheEnergyCeasefireDocument, NeighborhoodOfSlovianskDocument } from './gql/graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
export function validFrom(d: WhoAgreedToTheEnergyCeasefireQuery): string | undefined {
  const e = d.entity;
  return e && 'validFrom' in e ? e.validFrom?.at : undefined;
}
export const docs: TypedDocumentNode<any, any>[] = [WhoAgreedToTheEnergyCeasefireDocument, NeighborhoodOfSlovianskDocument];
`.replace('NeighborhoodOfSloviansk, ', 'NeighborhoodOfSlovianskQuery'));
  await writeFile(path.join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: 'es2022', module: 'esnext', moduleResolution: 'bundler', skipLibCheck: true, noUnusedLocals: false, typeRoots: [] },
    include: ['use.ts', 'gql/*.ts'],
  }));
  const tsc = path.join(web, 'node_modules', '.bin', 'tsc');
  try {
    await promisify(execFile)(tsc, ['-p', path.join(dir, 'tsconfig.json')], { cwd: web });
  } catch (err) {
    assert.fail(`tsc --noEmit failed:\n${err.stdout}${err.stderr}`);
  }
});
