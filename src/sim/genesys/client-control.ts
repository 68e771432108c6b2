import type { ControlScope } from './control-scope.js';
import { asObject, optionalString, requireString } from './control-input.js';
import type { SimRoleSeed } from './default-seed.js';
import type { SimClient } from './genesys-sim-state.js';
import { SimControlError } from './sim-control-error.js';

/** An OAuth client as the control API shows it: never its secret. */
export interface SimClientInfo {
  clientId: string;
  name: string;
  scopes: string[];
  roles: SimRoleSeed[];
}

/** Runtime control of the OAuth clients in a control's scope: secrets, tokens, roles and scopes (part of GenesysSimControl). */
export interface GenesysClientControl {
  /** From now on only `newSecret` works for this client; its tokens already out stay valid. */
  rotateClientSecret(clientId: string, newSecret: string): void;
  /**
   * Revokes every live token (or one client's); returns how many. The channels those tokens made get
   * `v2.system.token_revoked.{id}` and then end, their sockets closed.
   */
  revokeTokens(clientId?: string): number;
  /** The client's roles from now on; calls made with its tokens, even ones already issued, are judged by them at once. */
  setClientRoles(clientId: string, roles: SimRoleSeed[]): SimClientInfo;
  /** The `authorizedScope` of tokens issued to the client from now on ([] for an empty list). */
  setClientScopes(clientId: string, scopes: string[]): SimClientInfo;
  listClients(): SimClientInfo[];
}

export function clientInfo(c: SimClient): SimClientInfo {
  return { clientId: c.clientId, name: c.name, scopes: [...c.scopes], roles: structuredClone(c.roles) };
}

export function createClientControl(scope: ControlScope): GenesysClientControl {
  const clientOrThrow = (clientId: string) => {
    for (const org of scope.orgs) {
      const client = org.clients.get(clientId);
      if (client) return client;
    }
    throw new SimControlError('not_found', `no client ${clientId}`);
  };
  return {
    rotateClientSecret(clientId, newSecret) {
      clientOrThrow(clientId).secret = requireString(newSecret, 'secret');
    },
    revokeTokens(clientId) {
      const only = optionalString(clientId, 'clientId');
      return scope.orgs.reduce((revoked, org) => {
        const n = org.tokens.revokeAll(only);
        org.notifications.sweep();
        return revoked + n;
      }, 0);
    },
    setClientRoles(clientId, roles) {
      const client = clientOrThrow(clientId);
      client.roles = parseRoles(roles);
      return clientInfo(client);
    },
    setClientScopes(clientId, scopes) {
      const client = clientOrThrow(clientId);
      client.scopes = stringList(scopes, 'scopes');
      return clientInfo(client);
    },
    listClients: () => scope.orgs.flatMap((org) => [...org.clients.values()].map(clientInfo)),
  };
}

function parseRoles(input: unknown): SimRoleSeed[] {
  if (!Array.isArray(input)) throw new SimControlError('invalid_request', 'roles must be an array of {name, permissions}');
  return input.map((entry, i) => {
    const o = asObject(entry);
    const permissions = stringList(o.permissions, `roles[${i}].permissions`);
    const bad = permissions.find((p) => !/^[^:\s]+(:[^:\s]+){2}$|^\*$/.test(p));
    if (bad !== undefined) throw new SimControlError('invalid_request', `roles[${i}].permissions: "${bad}" is not domain:entity:action`);
    return { name: requireString(o.name, `roles[${i}].name`), permissions };
  });
}

function stringList(input: unknown, field: string): string[] {
  if (!Array.isArray(input) || input.some((s) => typeof s !== 'string' || s.trim() === '')) {
    throw new SimControlError('invalid_request', `${field} must be an array of non-empty strings`);
  }
  return [...(input as string[])];
}
