// The playground at /: GraphiQL, bundled from npm into web/dist so that the Go binary serves
// it with no network. Its default tabs are the README's named example queries, which the
// server hands out at /playground/examples.json (the same files the Go tests run), so editing
// an example does not need a rebuild of this bundle.
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import 'graphiql/graphiql.css';

const endpoint = new URL('graphql', document.baseURI).toString();

// A tab that shows where the write token goes: mutations need it when the server was started
// with -write-token; queries never do.
const writeTab = {
  query: `# Writes need the server's write token when it has one: put it in the Headers
# editor below as {"Authorization": "Bearer <token>"}. Queries never need it.
mutation UpsertExampleSource {
  upsertSources(input: [{
    id: "source:example-note"
    title: "An example source written from the playground"
    url: "https://example.org/note"
  }]) {
    created
    updated
    unchanged
  }
}
`,
  headers: '{\n  "Authorization": "Bearer YOUR-WRITE-TOKEN"\n}',
};

async function loadExamples() {
  try {
    const res = await fetch(new URL('playground/examples.json', document.baseURI));
    if (!res.ok) return [];
    return (await res.json()).map((e) => ({ query: e.query }));
  } catch {
    return [];
  }
}

const examples = await loadExamples();
const root = createRoot(document.getElementById('graphiql'));
root.render(
  <GraphiQL
    fetcher={createGraphiQLFetcher({ url: endpoint })}
    defaultTabs={[...examples, writeTab]}
    isHeadersEditorEnabled={true}
    shouldPersistHeaders={false}
  >
    <GraphiQL.Logo>
      <a href="explore" className="factgraph-logo" title="Open the graph explorer">factgraph · explorer</a>
    </GraphiQL.Logo>
  </GraphiQL>,
);
