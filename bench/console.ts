// The console's page weight and time to first render, in headless chromium against trunkgate and the
// simulators set up as the sandbox runs them: bytes transferred for the board (the page, its files, the
// first event of the stream) on a first visit and on a reload, and the time from navigation to the
// board's rows, BENCH_CONSOLE_RUNS times each (default 7), median and worst.
import type { CDPSession, Page } from 'playwright-core';
import { launchBrowser, startConsoleRig } from '../test/support/console-rig.js';
import { percentile, round } from './stats.js';

const RUNS = Number(process.env.BENCH_CONSOLE_RUNS ?? 7);
// The sandbox's timings (src/sandbox/watchdog-story.ts).
const SANDBOX_ENV = { MONITOR_POLL_INTERVAL_MS: '10000', INCIDENT_OPEN_AFTER_MS: '10000', INCIDENT_RESOLVE_AFTER_MS: '20000' };

/** Records when the first board row appears, in the page's own clock (ms since navigation started). */
const FIRST_ROW = `new MutationObserver((_m, observer) => {
  if (document.querySelector('#trunks tr[data-trunk]')) { window.__firstRow = performance.now(); observer.disconnect(); }
}).observe(document, { childList: true, subtree: true });`;

interface Transfer {
  url: string;
  status: number;
  bytes: number;
  /** Served from the browser's cache: nothing on the wire. */
  cached?: true;
  finished?: true;
}

/** Bytes on the wire per request (headers and encoded body), the event stream's counted as far as it came. */
async function watchTransfers(cdp: CDPSession) {
  const requests = new Map<string, Transfer>();
  await cdp.send('Network.enable');
  cdp.on('Network.requestServedFromCache', (e) => {
    const r = requests.get(e.requestId);
    if (r) r.cached = true;
  });
  cdp.on('Network.responseReceived', (e) => {
    requests.set(e.requestId, {
      url: new URL(e.response.url).pathname,
      status: e.response.status,
      bytes: 0,
      ...(e.response.fromDiskCache || e.response.fromPrefetchCache ? { cached: true as const } : {}),
    });
  });
  cdp.on('Network.dataReceived', (e) => {
    const r = requests.get(e.requestId);
    // An event stream is not encoded: Chrome reports its chunks by their length alone.
    if (r && !r.finished) r.bytes += e.encodedDataLength || e.dataLength;
  });
  cdp.on('Network.loadingFinished', (e) => {
    const r = requests.get(e.requestId);
    // What came over the wire for the whole response, headers included (0 from the cache).
    if (r) Object.assign(r, { bytes: r.cached ? 0 : e.encodedDataLength, finished: true });
  });
  return () => [...requests.values()];
}

async function load(page: Page, url: string, reload: boolean): Promise<{ firstRowMs: number; rows: number; transfers: Transfer[] }> {
  const cdp = await page.context().newCDPSession(page);
  const transfers = await watchTransfers(cdp);
  if (reload) await page.reload();
  else await page.goto(url);
  await page.waitForFunction('window.__firstRow !== undefined', null, { timeout: 30_000 });
  const firstRowMs = (await page.evaluate('window.__firstRow')) as number;
  const rows = (await page.evaluate(`document.querySelectorAll('#trunks tr[data-trunk]').length`)) as number;
  // Let the stream's first event and any response still arriving be counted.
  await page.waitForTimeout(300);
  await cdp.detach();
  return { firstRowMs, rows, transfers: transfers() };
}

const summary = (values: number[]) => ({ median: round(percentile(values, 50), 1), max: round(Math.max(...values), 1) });

export async function consoleBench(): Promise<Record<string, unknown>> {
  const rig = await startConsoleRig(SANDBOX_ENV);
  const url = `${rig.baseUrl}/`;
  const cold: Array<Awaited<ReturnType<typeof load>>> = [];
  const warm: Array<Awaited<ReturnType<typeof load>>> = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      // A new, empty profile each time: nothing cached; logged in already (the Authorization header sent
      // with each request, as a browser does after the Basic prompt), so the 401 round trip is not counted.
      const browser = await launchBrowser(undefined, { preemptive: true });
      try {
        const page = await browser.context.newPage();
        await page.addInitScript(FIRST_ROW);
        cold.push(await load(page, url, false));
        warm.push(await load(page, url, true));
      } finally {
        await browser.close();
      }
    }
  } finally {
    await rig.close();
  }
  const total = (t: Transfer[]) => t.reduce((sum, r) => sum + r.bytes, 0);
  return {
    runs: RUNS,
    trunksOnBoard: cold[0]!.rows,
    firstVisit: {
      timeToBoardRowsMs: summary(cold.map((c) => c.firstRowMs)),
      bytesTransferred: summary(cold.map((c) => total(c.transfers))),
      requests: cold[0]!.transfers,
    },
    reload: {
      timeToBoardRowsMs: summary(warm.map((c) => c.firstRowMs)),
      bytesTransferred: summary(warm.map((c) => total(c.transfers))),
      requests: warm[0]!.transfers,
    },
  };
}
