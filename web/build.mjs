// Builds web/dist from web/src with esbuild: the bundles the Go binary embeds (web/embed.go).
// The output must be a pure function of the sources and package-lock.json, because CI rebuilds
// it and fails if a single byte differs from what is committed (scripts/test.sh). esbuild is
// deterministic for a given version and input; the rest is kept so here: no timestamps, no
// absolute paths (no source maps), files written in a fixed order.
import { build } from 'esbuild';
import { rm, mkdir, copyFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const src = path.join(here, 'src');
const dist = path.join(here, 'dist');

await rm(dist, { recursive: true, force: true });
await mkdir(path.join(dist, 'assets'), { recursive: true });

const result = await build({
  absWorkingDir: here,
  entryPoints: { playground: 'src/playground.jsx', explorer: 'src/explorer.js' },
  outdir: 'dist/assets',
  bundle: true,
  format: 'esm',
  target: ['es2022'],
  minify: true,
  jsx: 'automatic',
  define: { 'process.env.NODE_ENV': '"production"' },
  // Third-party licences go to one file per bundle beside it, not into the minified code.
  legalComments: 'linked',
  loader: { '.woff2': 'dataurl', '.woff': 'dataurl', '.ttf': 'dataurl', '.svg': 'dataurl' },
  charset: 'utf8',
  metafile: true,
  logLevel: 'warning',
});

for (const f of ['playground.html', 'explorer.html', 'favicon.ico', 'favicon.svg']) {
  await copyFile(path.join(src, f), path.join(dist, f));
}

const sizes = [];
for (const f of (await readdir(path.join(dist, 'assets'))).sort()) {
  const out = result.metafile.outputs[`dist/assets/${f}`];
  if (out) sizes.push(`${f.padEnd(28)} ${(out.bytes / 1024).toFixed(0).padStart(6)} KiB`);
}
console.log(sizes.join('\n'));
