import type { TrunkQuery } from './trunk-wire.js';

/** SDK defaults for `getTelephonyProvidersEdgesTrunks`: pageNumber 1, pageSize 25, sortBy name, ASC. */
export const DEFAULT_PAGE_SIZE = 25;
// Unconfirmed: the real maximum pageSize of this resource is not documented; 500 matches the
// org's trunk limit ("View telephony resource limits", help.mypurecloud.com).
export const MAX_PAGE_SIZE = 500;

const trunkTypes = ['EXTERNAL', 'PHONE', 'EDGE'];
const echoed = ['trunkType', 'edge.id', 'trunkBase.id', 'sortBy', 'sortOrder'];

/** A rejected query parameter, reported as Genesys' `invalid.value`. */
export interface QueryProblem {
  value: string;
  fieldType: string;
  allowed: string;
}

type RawQuery = Record<string, unknown>;

/** Validates the list query the way the platform does: wrong numbers and enums are a 400. */
export function parseTrunkQuery(raw: RawQuery): TrunkQuery | QueryProblem {
  const first = (name: string): string | undefined => {
    const v = raw[name];
    if (Array.isArray(v)) return v.length ? String(v[0]) : undefined;
    return typeof v === 'string' ? v : undefined;
  };
  const list = (name: string): string[] | undefined => {
    const v = raw[name];
    const values = (Array.isArray(v) ? v : v === undefined ? [] : [v]).flatMap((x) => String(x).split(','));
    const ids = values.map((s) => s.trim()).filter(Boolean);
    return ids.length ? ids : undefined;
  };

  const pageSize = intParam(first('pageSize'), DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
  if (typeof pageSize !== 'number') return pageSize;
  const pageNumber = intParam(first('pageNumber'), 1, 1, 1_000_000);
  if (typeof pageNumber !== 'number') return pageNumber;

  const trunkType = first('trunkType');
  if (trunkType !== undefined && !trunkTypes.includes(trunkType)) {
    return { value: trunkType, fieldType: 'TrunkType', allowed: trunkTypes.join(', ') };
  }
  const sortOrderRaw = first('sortOrder') ?? 'ASC';
  const sortOrder = sortOrderRaw.toUpperCase();
  if (sortOrder !== 'ASC' && sortOrder !== 'DESC') {
    return { value: sortOrderRaw, fieldType: 'SortOrder', allowed: 'ASC, DESC' };
  }

  const echo: Array<[string, string]> = [];
  for (const key of Object.keys(raw)) {
    if (!echoed.includes(key)) continue;
    const v = raw[key];
    echo.push([key, Array.isArray(v) ? v.map(String).join(',') : String(v)]);
  }
  const edgeIds = list('edge.id');
  const trunkBaseIds = list('trunkBase.id');
  return {
    pageSize,
    pageNumber,
    sortBy: first('sortBy') ?? 'name',
    sortOrder,
    ...(trunkType ? { trunkType } : {}),
    ...(edgeIds ? { edgeIds } : {}),
    ...(trunkBaseIds ? { trunkBaseIds } : {}),
    echo,
  };
}

export function isQueryProblem(q: TrunkQuery | QueryProblem): q is QueryProblem {
  return 'fieldType' in q;
}

function intParam(value: string | undefined, fallback: number, min: number, max: number): number | QueryProblem {
  if (value === undefined || value === '') return fallback;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (Number.isSafeInteger(n) && n >= min && n <= max) return n;
  return { value, fieldType: 'int', allowed: `${min}-${max}` };
}
