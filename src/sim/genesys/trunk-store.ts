import { EventEmitter } from 'node:events';
import type { Clock } from '../clock.js';
import { SimControlError } from './sim-control-error.js';
import { droppedErrorInfo, optionsErrorInfo, rejectedErrorInfo, type TrunkStateChange } from './trunk-health.js';
import { buildTrunk, healthFingerprint } from './trunk-wire.js';
import type { GenesysTrunk, GenesysTrunkErrorInfo, GenesysTrunkType } from './wire-types.js';

/** A trunk to start the simulator with (or add later). */
export interface SeedTrunk {
  id: string;
  name: string;
  /** Default `EXTERNAL` (a BYOC trunk). */
  trunkType?: GenesysTrunkType;
  edge: { id: string; name: string };
  trunkBase: { id: string; name: string };
  /** SIP proxies the trunk registers with; one `registersStatus` entry each. */
  proxyAddressList: string[];
  /** `ipStatus.address`. */
  ipAddress?: string;
  /** Default `registered`. */
  initialState?: TrunkStateChange;
  /** Default true; false gives `registersEnabledStatus: DISABLED` and no `registersStatus`. */
  registersEnabled?: boolean;
  /**
   * The trunk base has no registration interval (`registersEnabledStatus: NOT_SUPPORTED`, as on BYOC
   * Cloud trunks): no `registersStatus`, health shown by the connection and SIP OPTIONS only.
   */
  registrationNotSupported?: boolean;
}

interface ProbeState {
  proxyAddress: string;
  ok: boolean;
  since: number;
  errorInfo?: GenesysTrunkErrorInfo;
}

/** The simulator's mutable view of one trunk; `buildTrunk` turns it into the wire object. */
export interface TrunkRecord {
  seed: SeedTrunk;
  trunkType: GenesysTrunkType;
  createdAt: number;
  modifiedAt: number;
  version: number;
  registersEnabled: boolean;
  registrationNotSupported: boolean;
  connected: boolean;
  connectedSince: number;
  registers: ProbeState[];
  options: ProbeState[];
  /** The wire object as last built, shared by listings until the trunk changes. */
  wire?: GenesysTrunk;
}

/** Events a later Notifications API (and tests) can follow. */
export interface TrunkEvents {
  trunkChanged: [trunk: GenesysTrunk];
  trunkAdded: [trunk: GenesysTrunk];
  trunkRemoved: [trunk: GenesysTrunk];
}

/** The trunks of the simulated org and their registration health. */
export class TrunkStore {
  private readonly trunks = new Map<string, TrunkRecord>();
  readonly events = new EventEmitter<TrunkEvents>();

  constructor(private readonly clock: Clock) {}

  add(seed: SeedTrunk): GenesysTrunk {
    if (this.trunks.has(seed.id)) throw new SimControlError('invalid_request', `trunk ${seed.id} already exists`);
    const now = this.clock();
    const probe = (proxyAddress: string): ProbeState => ({ proxyAddress, ok: true, since: now });
    const record: TrunkRecord = {
      seed,
      trunkType: seed.trunkType ?? 'EXTERNAL',
      createdAt: now,
      modifiedAt: now,
      version: 1,
      registersEnabled: (seed.registersEnabled ?? true) && seed.registrationNotSupported !== true,
      registrationNotSupported: seed.registrationNotSupported === true,
      connected: true,
      connectedSince: now,
      registers: seed.proxyAddressList.map(probe),
      options: seed.proxyAddressList.map(probe),
    };
    if (seed.initialState) this.apply(record, seed.initialState, now);
    this.trunks.set(seed.id, record);
    const wire = buildTrunk(record);
    this.events.emit('trunkAdded', wire);
    return wire;
  }

  remove(id: string): boolean {
    const record = this.trunks.get(id);
    if (!record) return false;
    this.trunks.delete(id);
    this.events.emit('trunkRemoved', buildTrunk(record));
    return true;
  }

  get size(): number {
    return this.trunks.size;
  }

  has(id: string): boolean {
    return this.trunks.has(id);
  }

  /**
   * Every trunk's wire object, built once per change and shared: read-only, for answers that only
   * serialise it (a 500-trunk org is listed page after page without rebuilding each trunk).
   */
  snapshot(): readonly GenesysTrunk[] {
    return [...this.trunks.values()].map((record) => (record.wire ??= buildTrunk(record)));
  }

  get(id: string): GenesysTrunk | undefined {
    const record = this.trunks.get(id);
    return record && buildTrunk(record);
  }

  list(): GenesysTrunk[] {
    return [...this.trunks.values()].map(buildTrunk);
  }

  setState(id: string, change: TrunkStateChange): GenesysTrunk {
    return this.mutate(id, (record, now) => this.apply(record, change, now));
  }

  setRegistersEnabled(id: string, enabled: boolean): GenesysTrunk {
    return this.mutate(id, (record, now) => {
      if (record.registrationNotSupported && enabled)
        throw new SimControlError('invalid_request', `trunk ${id}'s trunk base does not support registration`);
      record.registersEnabled = enabled;
      this.updateConnected(record, undefined, now);
    });
  }

  private mutate(id: string, change: (record: TrunkRecord, now: number) => void): GenesysTrunk {
    const record = this.trunks.get(id);
    if (!record) throw new SimControlError('not_found', `no trunk ${id}`);
    const before = healthFingerprint(buildTrunk(record));
    const now = this.clock();
    delete record.wire;
    change(record, now);
    let wire = buildTrunk(record);
    if (healthFingerprint(wire) !== before) {
      record.version++;
      record.modifiedAt = now;
      wire = buildTrunk(record);
      this.events.emit('trunkChanged', wire);
    }
    return wire;
  }

  private apply(record: TrunkRecord, change: TrunkStateChange, now: number): void {
    const targets = record.registers.filter((r) => !change.proxyAddress || r.proxyAddress === change.proxyAddress);
    if (targets.length === 0) {
      throw new SimControlError('invalid_request', `trunk ${record.seed.id} has no proxy ${change.proxyAddress}`);
    }
    for (const reg of targets) {
      const opt = record.options.find((o) => o.proxyAddress === reg.proxyAddress);
      if (!record.registersEnabled) {
        // No registration: the change shows on the SIP OPTIONS pings — refused with the code, or unanswered.
        if (opt) setProbe(opt, change.state === 'registered', optionsErrorInfo(change, reg.proxyAddress), now);
        continue;
      }
      const errorInfo =
        change.state === 'rejected'
          ? rejectedErrorInfo(change, reg.proxyAddress)
          : change.state === 'dropped'
            ? droppedErrorInfo(change, reg.proxyAddress)
            : undefined;
      setProbe(reg, change.state === 'registered', errorInfo, now);
      // A rejected REGISTER still means the far end answers, so OPTIONS succeed;
      // a dropped trunk answers nothing at all.
      if (opt) {
        const dropped = change.state === 'dropped';
        const optError = dropped
          ? droppedErrorInfo({ ...change, sipCode: undefined, text: 'No response to OPTIONS' }, reg.proxyAddress)
          : undefined;
        setProbe(opt, !dropped, optError, now);
      }
    }
    this.updateConnected(record, change.connected, now);
  }

  private updateConnected(record: TrunkRecord, override: boolean | undefined, now: number): void {
    const probes = record.registersEnabled ? record.registers : record.options;
    const connected = override ?? (probes.length === 0 || probes.some((p) => p.ok));
    if (connected !== record.connected) {
      record.connected = connected;
      record.connectedSince = now;
    }
  }
}

function setProbe(probe: ProbeState, ok: boolean, errorInfo: GenesysTrunkErrorInfo | undefined, now: number): void {
  const changed = probe.ok !== ok || JSON.stringify(probe.errorInfo) !== JSON.stringify(errorInfo);
  probe.ok = ok;
  if (errorInfo) probe.errorInfo = errorInfo;
  else delete probe.errorInfo;
  if (changed) probe.since = now;
}
