// Shared by the browser and client tests: starts factgraph on a free loopback port (embedded
// store, built-in seed) and a headless Debian Chromium through playwright-core, and records
// every URL the page asks for so a test can show that nothing left this machine.
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const outDir = process.env.FACTGRAPH_TEST_OUTPUT || path.join(here, '..', 'test-output');

// startServer runs the binary named by FACTGRAPH_BIN (scripts/test.sh builds it), or
// `go run ./cmd/factgraph` from the repository, and resolves once it logs its address.
export async function startServer(extraArgs = []) {
  const args = ['-addr', '127.0.0.1:0', ...extraArgs];
  const bin = process.env.FACTGRAPH_BIN;
  const child = bin
    ? spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn('go', ['run', './cmd/factgraph', ...args], { cwd: path.join(here, '..', '..'), stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`factgraph did not start in 120 s:\n${log}`)), 120_000);
    child.stderr.on('data', (d) => {
      log += d;
      const m = /msg=serving addr=(\S+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(`http://${m[1]}`);
      }
    });
    child.on('exit', (code) => reject(new Error(`factgraph exited with ${code}:\n${log}`)));
  });
  return { url, log: () => log, stop: () => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); }) };
}

// launchBrowser starts Debian's Chromium with the flags this machine's closed network needs
// (no background connections to Google's services). Every request the page makes passes
// through the route below, which logs its URL and aborts anything not on the server's origin.
export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return browser;
}

export async function newPage(browser, origin, ...alsoAllowed) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const requests = [];
  const errors = [];
  await context.route('**/*', (route) => {
    const u = route.request().url();
    requests.push(u);
    if ([origin, ...alsoAllowed].some((o) => u.startsWith(o + '/')) || u.startsWith('data:')) return route.continue();
    return route.abort();
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  return { page, context, requests, errors };
}

export async function screenshot(page, name) {
  await mkdir(outDir, { recursive: true });
  const file = path.join(outDir, name);
  await page.screenshot({ path: file });
  return file;
}

// offOrigin lists the requests that went anywhere but the server under test.
export function offOrigin(requests, origin) {
  return requests.filter((u) => !u.startsWith(origin + '/') && !u.startsWith('data:'));
}
