/** A dependency whose health decides /readyz (store, mappings, upstream tokens…); components offer them, src/http runs them. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<{ ok: boolean; detail?: string }>;
  /** Shown (`advisory: true`) but never makes the replica not ready: a broken feature that taking the replica out of the load balancer would not fix. */
  advisory?: boolean;
}
