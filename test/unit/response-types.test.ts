import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ActionSummary } from '../../src/actions/action-service.js';
import { mappingFileSchema } from '../../src/actions/mapping-format.js';
import type { CredentialsEntry } from '../../src/credentials/token-types.js';
import type { ErrorCode, ErrorDetail } from '../../src/errors/app-error.js';
import * as responseSchemas from '../../src/http/schemas.js';
import type { ActionList, CredentialsResponse, ErrorResponse, ReadyResponse } from '../../src/http/schemas.js';
import * as statusSchemas from '../../src/http/status-schemas.js';
import { incidentViewSchema, trunkViewSchema } from '../../src/http/status-schemas.js';
import { incidentView, trunkView, type IncidentView, type TrunkEventView, type TrunkView } from '../../src/incidents/status-views.js';
import type { IncidentKind } from '../../src/incidents/incident-store.js';
import type { SightingSource } from '../../src/trunks/trunk-sighting.js';
import type { TrunkSignal, TrunkState } from '../../src/trunks/trunk-state.js';
import { trunkEventViewSchema } from '../../src/trunks/trunk-view-schemas.js';
import { MAPPING_TARGETS } from '../../src/app/create-upstreams.js';
import { createSchemaEngine } from '../../src/validation/schema-engine.js';
import type { SchemaType } from '../../src/validation/schema-type.js';

/**
 * The response types are computed from the JSON Schemas the OpenAPI document shows (SchemaType).
 * These are checked by `npm run typecheck`: a schema and the code that answers with it cannot drift.
 */

type TrunkRow = Parameters<typeof trunkView>[0];
type IncidentSummary = Parameters<typeof incidentView>[0];

const row: TrunkRow = {
  trunkId: 't1',
  name: 'Lumen SIP - NYC',
  edgeId: 'e1',
  edgeName: null,
  trunkBaseId: 'b1',
  trunkBaseName: 'BYOC Carrier - Lumen',
  proxyAddress: 'sip-a.example.net:5061',
  state: 'rejected',
  signal: 'registration',
  since: 1_700_000_000_000,
  sipCode: 403,
  errorText: 'Forbidden',
  connected: true,
  registered: false,
  stateTime: null,
  source: 'poll',
  lastSeenAt: 1_700_000_060_000,
  failingSince: 1_700_000_000_000,
  healthySince: null,
  health: null,
  goneAt: null,
  org: 'default',
};

const incident: IncidentSummary = {
  id: 'i1',
  correlationId: 'trunkgate:trunk:t1',
  trunkId: 't1',
  trunkBaseId: null,
  kind: 'registration_rejected',
  open: true,
  openedAt: 1_700_000_030_000,
  resolvedAt: null,
  reopenedAt: null,
  reopenCount: 0,
  sysId: null,
  number: null,
  servicenowState: null,
  lastNoteAt: null,
  changesSinceNote: 0,
  updatedAt: 1_700_000_030_000,
  org: 'default',
  servicenowInstance: 'default',
  trunkIds: ['t1'],
  pendingDeliveries: 1,
  lastDeliveryError: null,
};

describe('response types computed from their schemas', () => {
  it('TrunkView, TrunkEventView and IncidentView are the documented fields, each with its type', () => {
    expectTypeOf<TrunkView>().toEqualTypeOf<{
      id: string;
      name: string | null;
      state: TrunkState;
      healthy: boolean;
      signal: TrunkSignal | null;
      since: string;
      sipCode: number | null;
      errorText: string | null;
      edge: { id: string; name: string | null } | null;
      trunkBase: { id: string; name: string | null } | null;
      proxyAddress: string | null;
      incident: { number: string | null; sysId: string | null; state: 'open' | 'resolved'; servicenowState: string | null } | null;
      failingSince: string | null;
      lastSeenAt: string;
      source: SightingSource;
      goneAt: string | null;
      org: string;
      maintenance?: { id: string; endsAt: string };
    }>();
    expectTypeOf<TrunkEventView>().toEqualTypeOf<{
      at: string;
      state: TrunkState;
      previousState: TrunkState | null;
      signal: TrunkSignal | null;
      sipCode: number | null;
      errorText: string | null;
      proxyAddress: string | null;
      source: SightingSource;
      eventId: string | null;
    }>();
    expectTypeOf<IncidentView['kind']>().toEqualTypeOf<IncidentKind>();
    expectTypeOf<IncidentView['trunkIds']>().toEqualTypeOf<string[]>();
    expectTypeOf<IncidentView['resolvedAt']>().toEqualTypeOf<string | null>();
    expectTypeOf<keyof IncidentView>().toEqualTypeOf<
      | 'correlationId'
      | 'trunkId'
      | 'trunkBaseId'
      | 'trunkIds'
      | 'kind'
      | 'number'
      | 'sysId'
      | 'state'
      | 'servicenowState'
      | 'openedAt'
      | 'resolvedAt'
      | 'reopenCount'
      | 'pendingDeliveries'
      | 'lastDeliveryError'
      | 'org'
      | 'servicenowInstance'
    >();
  });

  it('what the code hands out is the type of its schema, field for field', () => {
    expectTypeOf<ActionSummary>().toEqualTypeOf<ActionList['actions'][number]>();
    expectTypeOf<CredentialsEntry>().toEqualTypeOf<CredentialsResponse['upstreams'][number]>();
    expectTypeOf<ErrorResponse['error']['code']>().toEqualTypeOf<ErrorCode>();
    // Details carry more than path and message (parameter, permission, reason…): the schema says so.
    expectTypeOf<ErrorDetail>().toEqualTypeOf<ErrorResponse['error']['details'][number]>();
    expectTypeOf<ReadyResponse['checks'][string]>().toEqualTypeOf<{ ok: boolean; detail?: string; advisory?: boolean }>();
  });

  // trunkView() and the other builders return object literals: a field dropped from the schema fails there like `carrier` here.
  it('a field the schema does not document, or one it requires and the code leaves out, fails typecheck', () => {
    const view = trunkView(row, null);
    // @ts-expect-error an undocumented field
    const extra: TrunkView = { ...view, carrier: 'Lumen' };
    const { lastSeenAt: _dropped, ...rest } = view;
    // @ts-expect-error a documented, required field left out
    const missing: TrunkView = rest;
    // @ts-expect-error a state the schema does not list
    const sideways: TrunkView = { ...view, state: 'sideways' };
    expect([extra, missing, sideways]).toHaveLength(3);
  });

  it('a schema that drifts from the code fails typecheck', () => {
    // Used only through `typeof` (the point of the test): the linter sees them as unused.
    // eslint-disable-next-line @typescript-eslint/no-unused-vars
    const withCarrier = {
      ...trunkViewSchema,
      required: [...trunkViewSchema.required, 'carrier'],
      properties: { ...trunkViewSchema.properties, carrier: { type: 'string' } },
    } as const;
    // eslint-disable-next-line @typescript-eslint/no-unused-vars
    const fewerStates = {
      ...trunkViewSchema,
      properties: { ...trunkViewSchema.properties, state: { type: 'string', enum: ['registered', 'rejected'] } },
    } as const;
    // @ts-expect-error the schema documents a field trunkView() does not build
    const a: SchemaType<typeof withCarrier> = trunkView(row, null);
    // @ts-expect-error trunkView() can answer a state the schema no longer lists
    const b: SchemaType<typeof fewerStates> = trunkView(row, null);
    expectTypeOf(trunkView).returns.not.toMatchTypeOf<SchemaType<typeof withCarrier>>();
    expect([a, b]).toHaveLength(2);
  });

  it('and at run time the views answer what their schemas require', () => {
    const engine = createSchemaEngine();
    const check = (schema: object, value: unknown) => {
      const validate = engine.compile(schema);
      return validate(value) ? [] : validate.errors;
    };
    expect(check(trunkViewSchema, trunkView(row, incident))).toEqual([]);
    const bare = {
      ...row,
      name: null,
      edgeId: null,
      trunkBaseId: null,
      proxyAddress: null,
      signal: null,
      sipCode: null,
      errorText: null,
      failingSince: null,
      goneAt: 1_700_000_090_000,
    };
    expect(check(trunkViewSchema, trunkView(bare, null))).toEqual([]);
    expect(check(incidentViewSchema, incidentView(incident))).toEqual([]);
    expect(
      check(
        incidentViewSchema,
        incidentView({
          ...incident,
          open: false,
          resolvedAt: 1_700_000_090_000,
          sysId: 'a'.repeat(32),
          number: 'INC0010001',
          servicenowState: '6',
        }),
      ),
    ).toEqual([]);
    const event: TrunkEventView = {
      at: '2025-01-01T00:00:00.000Z',
      state: 'rejected',
      previousState: null,
      signal: null,
      sipCode: 403,
      errorText: 'Forbidden',
      proxyAddress: null,
      source: 'event',
      eventId: 'e1',
    };
    expect(check(trunkEventViewSchema, event)).toEqual([]);
    expect(check(trunkViewSchema, { ...trunkView(row, null), lastSeenAt: undefined })).not.toEqual([]);
  });
});

describe('the product schemas', () => {
  it('each compiles with the one strict draft 2020-12 engine', () => {
    const schemas = Object.entries({ ...responseSchemas, ...statusSchemas, mappingFileSchema: mappingFileSchema(MAPPING_TARGETS) }).filter(
      ([name]) => name.endsWith('Schema'),
    );
    expect(schemas.length).toBeGreaterThanOrEqual(12);
    for (const [name, schema] of schemas) expect(() => createSchemaEngine().compile(schema as object), name).not.toThrow();
  });
});
