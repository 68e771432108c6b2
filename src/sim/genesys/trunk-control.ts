import type { ControlScope } from './control-scope.js';
import { trunkOwner } from './control-scope.js';
import { asObject, parseSeedTrunk, parseTrunkStateChange, requireBoolean, requireString } from './control-input.js';
import { SimControlError } from './sim-control-error.js';
import type { TrunkStateChange } from './trunk-health.js';
import type { SeedTrunk, TrunkEvents } from './trunk-store.js';
import type { GenesysTrunk } from './wire-types.js';

/** The trunks in a control's scope (part of GenesysSimControl). */
export interface GenesysTrunkControl {
  listTrunks(): GenesysTrunk[];
  getTrunk(trunkId: string): GenesysTrunk | undefined;
  /** Adds a trunk to the org (the first org, on the simulator's control); its id must be new to the whole simulator. */
  addTrunk(seed: SeedTrunk): GenesysTrunk;
  removeTrunk(trunkId: string): boolean;
  /** Registers, rejects (with a SIP code) or drops a trunk's registration. */
  setTrunkState(trunkId: string, change: TrunkStateChange): GenesysTrunk;
  setRegistersEnabled(trunkId: string, enabled: boolean): GenesysTrunk;
  /** Pushes a trunk topic event with this body, as is, to the sockets subscribed to the trunk. Returns how many got it. */
  pushTrunkEvent(trunkId: string, body: Record<string, unknown>): number;
  /** Subscribes to trunk events; returns the unsubscribe function. */
  on<E extends keyof TrunkEvents>(event: E, listener: (...args: TrunkEvents[E]) => void): () => void;
}

export function createTrunkControl(scope: ControlScope): GenesysTrunkControl {
  return {
    listTrunks: () => scope.orgs.flatMap((o) => o.trunks.list()),
    getTrunk(id) {
      for (const org of scope.orgs) {
        const trunk = org.trunks.get(id);
        if (trunk) return trunk;
      }
      return undefined;
    },
    addTrunk(seed) {
      const parsed = parseSeedTrunk(seed);
      // Real trunk ids are UUIDs: no two orgs share one, so tests can address a trunk by id alone.
      if (scope.region.orgs.some((o) => o.trunks.has(parsed.id))) {
        throw new SimControlError('invalid_request', `trunk ${parsed.id} already exists`);
      }
      return scope.home.trunks.add(parsed);
    },
    removeTrunk: (id) => scope.orgs.some((o) => o.trunks.remove(id)),
    setTrunkState: (id, change) => trunkOwner(scope, id).trunks.setState(id, parseTrunkStateChange(change)),
    setRegistersEnabled: (id, enabled) => trunkOwner(scope, id).trunks.setRegistersEnabled(id, requireBoolean(enabled, 'enabled')),
    pushTrunkEvent(trunkId, body) {
      const id = requireString(trunkId, 'trunkId');
      const event = asObject(body);
      return scope.orgs.reduce((sent, o) => sent + o.notifications.pushTrunkEvent(id, event), 0);
    },
    on(event, listener) {
      for (const org of scope.orgs) org.trunks.events.on(event, listener as never);
      return () => {
        for (const org of scope.orgs) org.trunks.events.off(event, listener as never);
      };
    },
  };
}
