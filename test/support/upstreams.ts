import { Registry } from 'prom-client';
import { createUpstreams, type Upstreams, type UpstreamsDeps } from '../../src/app/create-upstreams.js';
import { systemClock } from '../../src/time/clock.js';
import { memoryLogger, testConfig } from './test-config.js';

/**
 * The upstreams (clients, credentials, pacers) built from `env` exactly as createApp builds them, for
 * tests that exercise a client or the monitor without the whole app. Close them (pacers) and stop
 * their credentials when done.
 */
export function testUpstreams(env: Record<string, string | undefined>, deps: Partial<UpstreamsDeps> = {}): Upstreams {
  return createUpstreams(testConfig(env), { clock: systemClock, logger: memoryLogger('error').logger, registry: new Registry(), ...deps });
}
