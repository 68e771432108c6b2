import type { ActionSummary } from './action-service.js';
import { portableSchema } from './portable-schema.js';

/** How the Genesys integration authenticates to trunkgate. */
export type ExportAuth = 'basic' | 'api-key';

type Schema = Record<string, unknown>;

/** Genesys contracts follow JSON Schema draft-04: no `format` values it does not know, one type per field. */
function contractSchema(schema: Schema, title: string): Schema {
  const strip = (s: Schema): Schema => {
    const { format: _f, ...rest } = s;
    if (rest.properties)
      rest.properties = Object.fromEntries(Object.entries(rest.properties as Record<string, Schema>).map(([k, v]) => [k, strip(v)]));
    if (rest.items && typeof rest.items === 'object') rest.items = strip(rest.items as Schema);
    return rest;
  };
  return { $schema: 'http://json-schema.org/draft-04/schema#', title, ...strip(portableSchema(schema)) };
}

function withoutRequired(schema: Schema): Schema {
  const { required: _r, ...rest } = schema;
  return rest;
}

/**
 * One Genesys Cloud Data Action in the import/export format of the `custom-rest-actions`
 * integration (what "Export" in Admin > Actions writes): the contract's input and success schemas,
 * a request that POSTs the flow's inputs as they are (`${input.rawRequest}`) to trunkgate, and a
 * response that maps trunkgate's flat output field by field. trunkgate's answer already has the
 * contract's shape; the translation map keeps each output visible and named in Architect. With `org`
 * the request goes to that org's route (`/v1/orgs/<org>/actions/<name>`): the action runs against the
 * org's Genesys Cloud and its ServiceNow instance, whatever org the default route would use.
 */
export function genesysDataAction(
  action: ActionSummary,
  options: { baseUrl: string; auth: ExportAuth; org?: string },
): Record<string, unknown> {
  const output = action.outputSchema as Schema;
  const fields = Object.keys((output.properties as Schema | undefined) ?? {});
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
  // With the integration's "User Defined" credentials holding a field named apiKey; with "Basic Auth"
  // credentials Genesys adds the Authorization header itself.
  if (options.auth === 'api-key') headers['X-API-Key'] = '${credentials.apiKey}';
  return {
    name: `trunkgate ${action.name}`,
    integrationType: 'custom-rest-actions',
    actionType: 'custom',
    config: {
      request: {
        requestUrlTemplate: `${options.baseUrl.replace(/\/+$/, '')}${actionPath(action.name, options.org)}`,
        requestType: 'POST',
        headers,
        requestTemplate: '${input.rawRequest}',
      },
      response: {
        translationMap: Object.fromEntries(fields.map((f) => [f, `$.${f}`])),
        // A field trunkgate leaves out reads as null (NOT_SET in Architect) instead of failing the action.
        translationMapDefaults: Object.fromEntries(fields.map((f) => [f, 'null'])),
        successTemplate: `{${fields.map((f) => `"${f}": \${${f}}`).join(', ')}}`,
      },
      // trunkgate answers within the action's own deadline; Genesys waits a little longer (1–60 s).
      timeoutSeconds: Math.min(60, Math.ceil(action.timeoutMs / 1000) + 2),
    },
    contract: {
      input: { inputSchema: contractSchema(action.inputSchema as Schema, `${action.name} input`) },
      // No `required` on the output: a null field must not fail the action in Genesys (our schema allows null).
      output: { successSchema: withoutRequired(contractSchema(output, `${action.name} output`)) },
    },
    secure: false,
  };
}

/** `/v1/actions/<name>`, or with an org (README, "Several orgs") `/v1/orgs/<org>/actions/<name>`. */
export function actionPath(name: string, org?: string): string {
  return org === undefined ? `/v1/actions/${name}` : `/v1/orgs/${org}/actions/${name}`;
}
