// Time to interactive of /settings/api-management in headless Chromium: navigation start -> the key table has rows,
// the first row's action passes Playwright's actionability checks (visible, stable, enabled, receives the pointer),
// and the search box took typed input; then the main thread answered (performance.now() read in the page).
// Usage: node bench/spa-tti.mjs <base-url> <ks_session cookie> [loads=5]   (bench/spa-tti.sh sets it all up)
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(join(dirname(fileURLToPath(import.meta.url)), '../frontend/package.json'));
const { chromium } = require('playwright-core');

const [base, session, loadsArg] = process.argv.slice(2);
const loads = Number(loadsArg ?? 5);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
const { hostname } = new URL(base);
await context.addCookies([{ name: 'ks_session', value: session, domain: hostname, path: '/', httpOnly: true }]);

async function once(page) {
  await page.goto(`${base}/settings/api-management`, { waitUntil: 'commit' });
  const rows = page.locator('table tbody tr');
  await rows.first().waitFor({ state: 'visible', timeout: 60_000 });
  const rowsVisible = await page.evaluate(() => performance.now());
  await rows.first().getByRole('button').first().click({ trial: true });
  const search = page.getByRole('searchbox', { name: 'Search' });
  await search.pressSequentially('k');
  const tti = await page.evaluate(() => {
    const input = document.querySelector('input[type=search]');
    if (input?.value !== 'k') throw new Error('the search box did not take the input');
    return performance.now();
  });
  const nav = await page.evaluate(() => {
    const [n] = performance.getEntriesByType('navigation');
    return { domContentLoaded: n.domContentLoadedEventEnd, load: n.loadEventEnd };
  });
  const resources = await page.evaluate(() =>
    performance.getEntriesByType('resource').map((r) => `${r.name.replace(location.origin, '')} ${r.startTime.toFixed(0)}-${r.responseEnd.toFixed(0)}`),
  );
  if (process.env.DEBUG) console.log(resources.join('\n'), `\nrows visible ${rowsVisible.toFixed(0)}`);
  return { rowsVisible, tti, rows: await rows.count(), more: await page.getByRole('button', { name: 'Load more' }).count(), ...nav };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// One warm-up load (JIT, server caches, the HTTP cache of the assets), then fresh pages: each a new document.
const warm = await context.newPage();
await once(warm);
await warm.close();
const runs = [];
for (let i = 0; i < loads; i++) {
  const page = await context.newPage();
  runs.push(await once(page));
  await page.close();
}

// How the page pages: click "Load more" until every key is rendered, timing each click to its rows.
const page = await context.newPage();
await page.goto(`${base}/settings/api-management`);
await page.locator('table tbody tr').first().waitFor();
const clicks = [];
for (let i = 0; i < 100; i++) {
  const more = page.getByRole('button', { name: 'Load more' });
  if ((await more.count()) === 0) break;
  const before = await page.locator('table tbody tr').count();
  const t0 = await page.evaluate(() => performance.now());
  await more.click();
  await page.waitForFunction((n) => document.querySelectorAll('table tbody tr').length > n, before);
  clicks.push((await page.evaluate(() => performance.now())) - t0);
}
const allRows = await page.locator('table tbody tr').count();
const t0 = await page.evaluate(() => performance.now());
await page.locator('table tbody tr').first().getByRole('button').first().click({ trial: true });
const allInteractive = (await page.evaluate(() => performance.now())) - t0;
const nodes = await page.evaluate(() => document.getElementsByTagName('*').length);
await browser.close();

const ms = (x) => `${x.toFixed(0)} ms`;
console.log(`loads: ${runs.map((r) => ms(r.tti)).join(', ')}`);
console.log(`api-management with 1,000 keys, median of ${loads} loads (headless Chromium, 1280x800):`);
console.log(`  navigation start -> rows visible:              ${ms(median(runs.map((r) => r.rowsVisible)))}`);
console.log(`  navigation start -> interactive (TTI):         ${ms(median(runs.map((r) => r.tti)))}`);
console.log(`  DOMContentLoaded / load:                       ${ms(median(runs.map((r) => r.domContentLoaded)))} / ${ms(median(runs.map((r) => r.load)))}`);
console.log(`  rows rendered at first paint of the table:     ${runs[0].rows} (${runs[0].more ? '"Load more" offered' : 'no more pages'})`);
console.log(`  "Load more" clicks to render all:              ${clicks.length}, median ${ms(median(clicks))}, max ${ms(Math.max(...clicks))}`);
console.log(`  all ${allRows} rows rendered: action clickable after ${ms(allInteractive)}; DOM elements: ${nodes}`);
