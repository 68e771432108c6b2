/** A control call the simulator cannot honour: bad input (`invalid_request`) or an unknown id (`not_found`). */
export class SimControlError extends Error {
  override readonly name = 'SimControlError';

  constructor(
    readonly code: 'invalid_request' | 'not_found',
    message: string,
  ) {
    super(message);
  }
}
