import type { FailedEvent } from '../credentials/token-types.js';

/** A permission Genesys refuses the monitor, as the credentials incident describes it. */
export interface PermissionProblem {
  feature: string;
  operation: string;
  permissions: string[];
  message: string;
}

/** Where permission problems come from (the monitor's PermissionWatch). */
export interface PermissionEvents {
  on(event: 'missing', listener: (problems: PermissionProblem[], at: number) => void): unknown;
  on(event: 'restored', listener: (at: number) => void): unknown;
}

/** Why Genesys access is failing: the token (and whether that heals by itself), refused permissions, or both. */
export interface AccessProblem {
  token: { permanent: boolean } | null;
  permissions: PermissionProblem[];
}

/** What the credentials incident is told: failing (with why), or working again. */
export interface CredentialsVerdict {
  failed(e: { at: number; message: string; permanent: boolean; access: AccessProblem }): void;
  recovered(at: number): void;
}

/**
 * "trunkgate cannot get or use its Genesys token" has two causes that heal separately: the broker
 * cannot get a token, or Genesys refuses what the monitor does with one (a permission missing from the
 * OAuth client's role). The credentials incident is failing while either is, says both when both are,
 * and recovers only once neither is — so a token refresh that succeeds does not resolve a missing
 * permission, and a permission granted again does not hide a failing token endpoint.
 */
export class GenesysAccess {
  private token?: FailedEvent;
  private permissions: PermissionProblem[] = [];

  constructor(private readonly verdict: CredentialsVerdict) {}

  tokenFailed(e: FailedEvent): void {
    this.token = e;
    this.report(e.at);
  }

  tokenRecovered(at: number): void {
    if (!this.token) return;
    this.token = undefined;
    this.report(at);
  }

  permissionsMissing(problems: PermissionProblem[], at: number): void {
    this.permissions = problems;
    this.report(at);
  }

  permissionsRestored(at: number): void {
    if (this.permissions.length === 0) return;
    this.permissions = [];
    this.report(at);
  }

  private report(at: number): void {
    const refused = this.permissions.map((p) => `${p.feature}: ${p.message}`);
    if (!this.token && refused.length === 0) return this.verdict.recovered(at);
    const message = [...(this.token ? [this.token.message] : []), ...refused].join('; ');
    // A missing permission never heals by itself: a person must act, as with a refused client.
    const permanent = (this.token?.permanent ?? false) || refused.length > 0;
    this.verdict.failed({
      at,
      message,
      permanent,
      access: { token: this.token ? { permanent: this.token.permanent } : null, permissions: this.permissions },
    });
  }
}
