import type { AxiosResponse } from 'axios';
import { UpstreamUnavailableError } from '../errors/app-error.js';
import type { UpstreamCredentials } from '../credentials/upstream-credentials.js';
import { CredentialsUnavailableError } from '../credentials/token-types.js';

/**
 * Sends a request with the upstream's current credentials and applies the broker's policy on
 * 401/403: one retry, with a fresh verified token if the refused one is still current, or with the
 * current token if it has already rotated; never more than one.
 */
export async function authorizedSend<T>(
  credentials: UpstreamCredentials,
  operation: string,
  send: (authorization: string) => Promise<AxiosResponse<T>>,
  /** Bounds each wait for credentials (a refresh, a verification) by the caller's deadline. */
  bound: <W>(wait: Promise<W>) => Promise<W> = (wait) => wait,
): Promise<AxiosResponse<T>> {
  let auth = await bound(authorize(credentials, operation));
  let res = await send(auth.header);
  if (res.status === 401 || res.status === 403) {
    const retry = await bound(
      credentials.refused(auth, res.status).catch((err: unknown) => {
        throw unavailable(credentials, operation, err);
      }),
    );
    if (retry) {
      auth = retry;
      res = await send(auth.header);
    }
  }
  if (res.status < 400) credentials.accepted(auth);
  return res;
}

async function authorize(credentials: UpstreamCredentials, operation: string) {
  try {
    return await credentials.authorize();
  } catch (err) {
    throw unavailable(credentials, operation, err);
  }
}

function unavailable(credentials: UpstreamCredentials, operation: string, err: unknown): Error {
  if (err instanceof CredentialsUnavailableError) {
    return new UpstreamUnavailableError(
      `no usable ${credentials.upstream} credentials: ${err.message}`,
      { upstream: credentials.upstream, operation },
      err,
    );
  }
  return err as Error;
}
