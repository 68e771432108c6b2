// `npx tsx test/support/print-metrics.ts`: prints what GET /metrics of a trunkgate running against the
// simulators answers (see scrapeTrunkgate), for `promtool check metrics` in CI (.ci/check-metrics).
import { scrapeTrunkgate } from './metrics-scrape.js';

process.stdout.write(await scrapeTrunkgate());
