import { parseFrame, trunkTopic } from '../monitor/notification-frame.js';
import { DEFAULT_MONITOR_TUNING } from '../monitor/monitor-tuning.js';
import { normaliseTrunk, type TrunkObservation } from '../trunks/trunk-state.js';
import { refusalOfError, TRUNK_PERMISSION } from '../upstream/genesys-permissions.js';
import { WsSocketConnector } from '../upstream/notification-socket.js';
import { count, fail, messageOf, NotChecked, pass, warn, type Check, type CheckOutcome } from './check.js';
import type { GenesysProbe } from './genesys-probe.js';

const ROLE_ADMIN = 'Genesys Cloud Admin > Integrations > OAuth > the client > Roles';
const PONG_WAIT_MS = 2_000;

/** The fix for a Genesys 403: the permission it named (or the one trunk calls need), on a role of the OAuth client. */
function permissionFix(err: unknown): string | undefined {
  const refusal = refusalOfError(err);
  if (!refusal) return undefined;
  const permissions = refusal.permissions.length > 0 ? refusal.permissions : [TRUNK_PERMISSION];
  const which = permissions.length === 1 ? permissions[0]! : `${refusal.anyOf ? 'one of ' : ''}${permissions.join(', ')}`;
  const shown = permissions.includes(TRUNK_PERMISSION) ? ' (Telephony > Plugin > All)' : '';
  return `add the permission ${which}${shown} to a role and assign that role to the OAuth client GENESYS_CLIENT_ID (${ROLE_ADMIN})`;
}

/** genesys-trunks: what the monitor calls, `GET …/edges/trunks?trunkType=EXTERNAL`, every page. */
export function genesysTrunksCheck(probe: GenesysProbe): Check {
  return {
    name: 'genesys-trunks',
    run: async (signal) => {
      try {
        const { trunks, pages } = await probe.trunks(signal);
        return pass(
          `GET /api/v2/telephony/providers/edges/trunks?trunkType=EXTERNAL allowed: ${count(trunks.length, 'trunk')} on ${count(pages, 'page')}`,
        );
      } catch (err) {
        if (err instanceof NotChecked) throw err;
        const fix = permissionFix(err);
        if (fix) return fail(messageOf(err), fix);
        return fail(
          `GET trunks: ${messageOf(err)}`,
          'Genesys Cloud answered with an error: try again later (https://status.mypurecloud.com)',
        );
      }
    },
  };
}

/** Does this trunk report registration (so a refused REGISTER can be seen)? The normaliser's own rule. */
function reportsRegistration(trunk: Record<string, unknown>): boolean {
  const enabled = trunk.registersEnabledStatus;
  return enabled !== 'DISABLED' && enabled !== 'NOT_SUPPORTED' && Array.isArray(trunk.registersStatus) && trunk.registersStatus.length > 0;
}

/** "6 trunks: 4 report registration, 2 only OPTIONS/connection (BYOC Cloud?); now 4 registered, 2 connected". Pure, for tests. */
export function judgeTrunks(trunks: Array<Record<string, unknown>>): CheckOutcome {
  if (trunks.length === 0) {
    return warn(
      'Genesys lists no EXTERNAL trunk: the watchdog has nothing to watch',
      'check that GENESYS_CLIENT_ID is a client of the org whose BYOC trunks trunkgate should watch, and GENESYS_REGION its region',
    );
  }
  const registering = trunks.filter(reportsRegistration).length;
  const others = trunks.length - registering;
  const notSupported = trunks.filter((t) => t.registersEnabledStatus === 'NOT_SUPPORTED').length;
  const observed = trunks.map((t) => normaliseTrunk(t));
  const seen = `${count(trunks.length, 'trunk')}: ${registering} report registration, ${others} only OPTIONS/connection${notSupported > 0 ? ` (${notSupported} NOT_SUPPORTED: BYOC Cloud?)` : ''}; now ${states(observed)}`;
  if (registering === 0) {
    return warn(
      `${seen}; none reports registration, so a refused REGISTER cannot be seen, only a lost connection or unanswered SIP OPTIONS`,
      'nothing to change in trunkgate for BYOC Cloud trunks; for trunks that should register, give their trunk base a registration interval in Genesys Cloud (Telephony > Trunks)',
    );
  }
  return pass(seen);
}

function states(observed: TrunkObservation[]): string {
  const byState = new Map<string, number>();
  for (const o of observed) byState.set(o.state, (byState.get(o.state) ?? 0) + 1);
  const failing = observed.filter((o) => o.state === 'rejected' || o.state === 'dropped');
  const named = failing.slice(0, 3).map((o) => `${o.name ?? o.trunkId} ${o.state}${o.sipCode ? ` ${o.sipCode}` : ''}`);
  const more = failing.length > 3 ? `, ${failing.length - 3} more` : '';
  return `${[...byState].map(([state, n]) => `${n} ${state}`).join(', ')}${named.length > 0 ? ` (${named.join(', ')}${more})` : ''}`;
}

/** watchdog-trunks: what the watchdog will be able to see. */
export function watchdogTrunksCheck(probe: GenesysProbe): Check {
  return {
    name: 'watchdog-trunks',
    run: async (signal) => judgeTrunks(await probe.trunksOrSkip(signal)),
  };
}

/**
 * genesys-notifications: a channel created, subscribed to one trunk topic, its socket opened (and
 * pinged), the subscription removed again. Genesys cannot delete a channel: it is left without topics.
 */
export function genesysNotificationsCheck(probe: GenesysProbe): Check {
  return {
    name: 'genesys-notifications',
    timeoutFix: 'check that this host reaches the Genesys Cloud API and its websocket host (wss://streaming.<region>) through any proxy',
    run: async (signal) => {
      if (!probe.config.monitor.notifications)
        return pass(`not used (MONITOR_NOTIFICATIONS=false): trunk state is polled every ${probe.config.monitor.pollIntervalMs / 1000} s`);
      const trunks = await probe.trunksOrSkip(signal);
      const notifications = await probe.notifications();
      const steps: string[] = [];
      let channelId: string | undefined;
      try {
        const channel = await notifications.createChannel();
        channelId = channel.id;
        steps.push('channel created');
        const first = trunks.find((t) => typeof t.id === 'string');
        if (first) {
          await notifications.replaceSubscriptions(channel.id, [trunkTopic(String(first.id))]);
          steps.push('subscribed to one trunk topic');
        }
        steps.push(await openSocket(channel.connectUri, signal));
        if (first) {
          await notifications.removeSubscriptions(channel.id);
          steps.push('subscription removed');
        }
      } catch (err) {
        const fix = permissionFix(err);
        const done = steps.length > 0 ? ` (${steps.join(', ')} first)` : '';
        if (fix) return fail(`${messageOf(err)}${done}`, fix);
        return fail(
          `${messageOf(err)}${done}`,
          channelId
            ? "check that this host reaches the channel's websocket (wss://streaming.<region>) through any proxy, or set MONITOR_NOTIFICATIONS=false to rely on polling"
            : 'Genesys Cloud answered with an error: try again later, or set MONITOR_NOTIFICATIONS=false to rely on polling',
        );
      }
      const outcome = pass(
        `${steps.join(', ')}${trunks.length === 0 ? ' (no EXTERNAL trunk to subscribe to)' : ''}; the channel is left without topics to expire (Genesys has no call to delete one)`,
      );
      return steps.includes('socket opened, no pong')
        ? warn(
            outcome.detail,
            'none needed if trunk events arrive; the monitor reconnects a silent socket (check a proxy between this host and wss://streaming.<region>)',
          )
        : outcome;
    },
  };
}

/** Connects to the channel's websocket, asks `{"message":"ping"}` and waits briefly for the pong. */
async function openSocket(uri: string, signal: AbortSignal): Promise<string> {
  if (signal.aborted) throw signal.reason;
  const socket = await new WsSocketConnector({ handshakeTimeoutMs: Math.min(5_000, DEFAULT_MONITOR_TUNING.handshakeTimeoutMs) })
    .connect(uri)
    .catch((err: unknown) => {
      throw new Error(`the channel's websocket could not be opened: ${messageOf(err)}`);
    });
  try {
    const pong = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), PONG_WAIT_MS);
      socket.onMessage((text) => {
        if (parseFrame(text)?.kind === 'pong') {
          clearTimeout(timer);
          resolve(true);
        }
      });
      signal.addEventListener('abort', () => resolve(false), { once: true });
    });
    socket.send(JSON.stringify({ message: 'ping' }));
    return (await pong) ? 'socket opened and answered a ping' : 'socket opened, no pong';
  } finally {
    await socket.close();
  }
}
