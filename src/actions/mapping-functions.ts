import { normaliseTrunk } from '../trunks/trunk-state.js';
import { encodedQueryValue } from '../upstream/servicenow-client.js';

/**
 * Functions mapping expressions may call besides JSONata's own. Each is pure and documented in the
 * README; adding one is a code change, so a mapping file can never run code of its own.
 */
export const mappingFunctions: Record<string, (...args: never[]) => unknown> = {
  /**
   * A value for a ServiceNow encoded query (`sysparm_query`): `^` separates conditions there, so a
   * caret inside a value is doubled; without this, "x^ORactive=true" would add a condition.
   */
  encodeQueryValue: (value: unknown) => (value === undefined || value === null ? value : encodedQueryValue(String(value))),
  /** A Genesys Trunk (wire) → trunkgate's observation: state registered/rejected/dropped/unknown, sipCode, errorText… */
  normaliseTrunk: (trunk: unknown) => (trunk === undefined ? undefined : normaliseTrunk(trunk)),
};
