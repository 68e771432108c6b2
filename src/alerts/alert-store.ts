/** A helpdesk-webhook problem: raised once, cleared once. */
export interface AlertRow {
  key: string;
  summary: string;
  raisedAt: number;
  raiseSentAt: number | null;
  clearedAt: number | null;
}

/**
 * What a helpdesk message is about: `raise` an alert not sent yet (and not over), `recover` one sent
 * and now over, `forget` one over before it was ever sent (deleted without a message).
 */
export type AlertPurpose = 'raise' | 'recover' | 'forget';

/** The helpdesk alerts raised, and who is sending each message (several replicas send each once). */
export interface AlertStore {
  listAlerts(): Promise<AlertRow[]>;
  /** Inserts a new problem; false when the key is already raised. */
  raiseAlert(row: AlertRow): Promise<boolean>;
  updateAlert(key: string, patch: Partial<Omit<AlertRow, 'key'>>): Promise<void>;
  deleteAlert(key: string): Promise<void>;
  /**
   * Takes, for `leaseMs`, the right to act on those of `keys` that still need `purpose` and that no
   * other owner holds (or whose hold has expired); returns the keys taken. Replicas checking the same
   * problems thereby send each message once.
   */
  claimAlerts(options: { keys: string[]; purpose: AlertPurpose; owner: string; now: number; leaseMs: number }): Promise<string[]>;
  /** Gives back `owner`'s claims on these alerts. */
  releaseAlerts(keys: string[], owner: string): Promise<void>;
}
