import type { Response } from 'express';
import { sendApiError } from './genesys-errors.js';

// Reading trunks (and subscribing to their topics) needs the `telephony:plugin:all` permission
// (docs/genesys-cloud.md, 'Permissions and scopes'); a client-credentials token carries its client's grants, modelled here as its scope list.
const TRUNK_READ_GRANTS = ['telephony:plugin:all', 'telephony', 'telephony:readonly'];

export function mayReadTrunks(scopes: readonly string[]): boolean {
  return scopes.some((s) => TRUNK_READ_GRANTS.includes(s));
}

export function sendMissingPermission(res: Response): void {
  sendApiError(res, {
    status: 403,
    code: 'missing.any.permissions',
    message:
      'Unable to perform the requested action. You must have at least one of the following permissions assigned: [telephony:plugin:all]',
  });
}
