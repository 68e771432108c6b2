/** The encoded-query operators the simulator understands. */
export type QueryOperator =
  '=' | '!=' | 'LIKE' | 'NOTLIKE' | 'STARTSWITH' | 'ENDSWITH' | 'IN' | 'NOT IN' | 'ISEMPTY' | 'ISNOTEMPTY' | '<' | '<=' | '>' | '>=';

export interface QueryCondition {
  field: string;
  operator: QueryOperator;
  value: string;
}

export interface QueryOrder {
  field: string;
  descending: boolean;
}

/**
 * A parsed `sysparm_query`. `groups` are the `^NQ` alternatives; each is a list of AND clauses,
 * each clause a list of `^OR` alternatives.
 */
export interface EncodedQuery {
  groups: QueryCondition[][][];
  orderBy: QueryOrder[];
  /** Terms dropped because their field is unknown or they could not be read. */
  ignored: string[];
}

// Longest first, so that `!=` is not read as `=` and `NOT IN` not as `IN`.
const OPERATORS: ReadonlyArray<[string, QueryOperator]> = [
  ['ISNOTEMPTY', 'ISNOTEMPTY'],
  ['ISEMPTY', 'ISEMPTY'],
  ['STARTSWITH', 'STARTSWITH'],
  ['ENDSWITH', 'ENDSWITH'],
  ['NOT LIKE', 'NOTLIKE'],
  ['NOTLIKE', 'NOTLIKE'],
  ['NOT IN', 'NOT IN'],
  ['LIKE', 'LIKE'],
  ['IN', 'IN'],
  ['!=', '!='],
  ['>=', '>='],
  ['<=', '<='],
  ['=', '='],
  ['>', '>'],
  ['<', '<'],
];

// Field names are lower case, which is what lets `short_descriptionLIKEx` split at the operator.
const TERM = /^([a-z0-9_.]+)(.*)$/s;

function parseCondition(term: string): QueryCondition | null {
  const match = TERM.exec(term);
  if (!match) return null;
  const [, field, rest] = match as unknown as [string, string, string];
  for (const [text, operator] of OPERATORS) {
    if (rest.startsWith(text)) return { field, operator, value: rest.slice(text.length) };
  }
  return null;
}

/**
 * Parses an encoded query. A condition on a field the table does not have is dropped, not refused:
 * that is the instance's behaviour (glide.invalid_query.returns_no_rows defaults to false), and it is
 * why `corelation_id=x` quietly matches every row.
 */
export function parseEncodedQuery(query: string, isKnownField: (field: string) => boolean): EncodedQuery {
  const result: EncodedQuery = { groups: [[]], orderBy: [], ignored: [] };
  // `^^` is an escaped caret inside a value; NUL stands in for it while splitting (it cannot occur in a query).
  const ESCAPED = '\u0000';
  const terms = query.replaceAll('^^', ESCAPED).split('^');
  for (const raw of terms) {
    let term = raw.replaceAll(ESCAPED, '^');
    if (term === '' || term === 'EQ') continue;
    if (term.startsWith('ORDERBY')) {
      const descending = term.startsWith('ORDERBYDESC');
      const field = term.slice(descending ? 11 : 7);
      if (isKnownField(field)) result.orderBy.push({ field, descending });
      else result.ignored.push(raw);
      continue;
    }
    let or = false;
    if (term.startsWith('NQ')) {
      result.groups.push([]);
      term = term.slice(2);
    } else if (term.startsWith('OR')) {
      or = true;
      term = term.slice(2);
    }
    const condition = parseCondition(term);
    if (!condition || !isKnownField(condition.field)) {
      result.ignored.push(raw);
      continue;
    }
    const group = result.groups[result.groups.length - 1]!;
    const last = group[group.length - 1];
    if (or && last) last.push(condition);
    else group.push([condition]);
  }
  return result;
}

function numeric(value: string): number | null {
  return value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : null;
}

function compare(a: string, b: string): number {
  const x = numeric(a);
  const y = numeric(b);
  if (x !== null && y !== null) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

// String matching is case-insensitive, as on the instance's database collation (unconfirmed for `=`).
function test(condition: QueryCondition, row: Record<string, string>): boolean {
  const actual = (row[condition.field] ?? '').toLowerCase();
  const expected = condition.value.toLowerCase();
  const list = () => expected.split(',').map((v) => v.trim());
  switch (condition.operator) {
    case '=':
      return actual === expected;
    case '!=':
      return actual !== expected;
    case 'LIKE':
      return actual.includes(expected);
    case 'NOTLIKE':
      return !actual.includes(expected);
    case 'STARTSWITH':
      return actual.startsWith(expected);
    case 'ENDSWITH':
      return actual.endsWith(expected);
    case 'IN':
      return list().includes(actual);
    case 'NOT IN':
      return !list().includes(actual);
    case 'ISEMPTY':
      return actual === '';
    case 'ISNOTEMPTY':
      return actual !== '';
    case '<':
      return compare(actual, expected) < 0;
    case '<=':
      return compare(actual, expected) <= 0;
    case '>':
      return compare(actual, expected) > 0;
    case '>=':
      return compare(actual, expected) >= 0;
  }
}

export function matchesQuery(query: EncodedQuery, row: Record<string, string>): boolean {
  return query.groups.some((group) => group.every((clause) => clause.some((condition) => test(condition, row))));
}

/** A comparator for `ORDERBY` / `ORDERBYDESC`; rows keep their order where the query gives none. */
export function orderComparator(orderBy: QueryOrder[]): (a: Record<string, string>, b: Record<string, string>) => number {
  return (a, b) => {
    for (const { field, descending } of orderBy) {
      const c = compare(a[field] ?? '', b[field] ?? '');
      if (c !== 0) return descending ? -c : c;
    }
    return 0;
  };
}
