/**
 * How trunkgate names what it watches, in correlation ids (ServiceNow's `correlation_id`) and audit
 * subjects. With one org (no connections file) the names are the ones every earlier release used, so
 * open incidents keep their ids across an upgrade; with a connections file every org's names carry the
 * org, the first org's included (two orgs may watch trunks of the same carrier).
 */
export interface SubjectNames {
  trunk(org: string, trunkId: string): string;
  trunkBase(org: string, trunkBaseId: string): string;
  /** The Genesys credentials of an org. */
  credentials(org: string): string;
}

export const singleOrgNames: SubjectNames = {
  trunk: (_org, trunkId) => `trunkgate:trunk:${trunkId}`,
  trunkBase: (_org, trunkBaseId) => `trunkgate:trunkbase:${trunkBaseId}`,
  credentials: () => 'trunkgate:credentials:genesys',
};

export const perOrgNames: SubjectNames = {
  trunk: (org, trunkId) => `trunkgate:${org}:trunk:${trunkId}`,
  trunkBase: (org, trunkBaseId) => `trunkgate:${org}:trunkbase:${trunkBaseId}`,
  credentials: (org) => `trunkgate:${org}:credentials`,
};

/** The names for a deployment: per org with a connections file, the single-org names without one. */
export function subjectNames(perOrg: boolean): SubjectNames {
  return perOrg ? perOrgNames : singleOrgNames;
}

/**
 * The audit subjects a search for `subject` matches (GET /v1/audit?subject=): a full subject
 * (`trunkgate:…`) is itself; a bare id is also the trunk and the trunk base of that id, under the
 * single-org names and — with a connections file — under each of `orgs`' names (entries written before
 * the file was introduced keep the single-org names).
 */
export function subjectForms(subject: string, o: { perOrg: boolean; orgs: readonly string[] }): string[] {
  if (subject.startsWith('trunkgate:')) return [subject];
  const forms = [subject, singleOrgNames.trunk('', subject), singleOrgNames.trunkBase('', subject)];
  if (o.perOrg) for (const org of o.orgs) forms.push(perOrgNames.trunk(org, subject), perOrgNames.trunkBase(org, subject));
  return [...new Set(forms)];
}
