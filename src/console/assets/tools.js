// Maintenance windows (GET/POST/DELETE /v1/maintenance) and the audit trail (GET /v1/audit) for the
// console; each says so plainly when this trunkgate lacks the endpoint or the caller the permission.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const { el, when } = window.tg;
  const tg = window.tg;

  async function api(method, path, body) {
    const headers = { accept: 'application/json' };
    if (body) headers['content-type'] = 'application/json';
    const res = await fetch(path, { method, headers, body: body && JSON.stringify(body) });
    const json = res.status === 204 ? null : await res.json().catch(() => null);
    return { status: res.status, ok: res.ok, body: json };
  }
  /** Why a call failed, for a person: the endpoint missing, a permission missing, or trunkgate's own message. */
  function problem(r, what, permission) {
    if (r.status === 404) return `${what} is not available on this trunkgate: it answered 404.`;
    if (r.status === 403) return `This caller is not allowed this: it needs the ${permission} permission.`;
    const e = r.body && r.body.error;
    return e
      ? `${e.message}${(e.details || []).map((d) => ` — ${d.path ? `${d.path}: ` : ''}${d.message}`).join('')}`
      : `trunkgate answered ${r.status}.`;
  }
  const localInput = (date) => new Date(date.getTime() - date.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  const fromInput = (value) => (value ? new Date(value).toISOString() : '');

  // ---- maintenance windows
  const form = $('window-form');
  const scopeText = (scope) => {
    const org = scope.org && tg.whoami.orgs.length > 1 ? ` (org ${scope.org})` : '';
    if (scope.all) return `Everything${org}`;
    if (scope.trunkId) return `Trunk ${scope.trunkId}${org}`;
    if (scope.trunkBaseId) return `Trunk base ${scope.trunkBaseId}${org}`;
    return `Edge ${scope.edgeId}${org}`;
  };
  async function loadWindows() {
    const r = await api('GET', '/v1/maintenance');
    const note = $('maintenance-note');
    if (!r.ok) {
      note.textContent = problem(r, 'The maintenance windows API', 'status:read');
      form.hidden = true;
      return;
    }
    form.hidden = !tg.can('maintenance:write');
    const rows = r.body.windows.map((w) => {
      const end = tg.can('maintenance:write')
        ? el('button', {
            type: 'button',
            class: 'secondary',
            text: 'End now',
            'aria-label': `End the window for ${scopeText(w.scope)} now`,
          })
        : null;
      if (end) end.addEventListener('click', () => endWindow(w));
      return el(
        'tr',
        { 'data-window': w.id },
        el('th', { scope: 'row', text: scopeText(w.scope) }),
        el('td', null, when(w.startsAt)),
        el('td', null, when(w.endsAt, true)),
        el('td', { text: w.reason }),
        el('td', { text: w.createdBy }),
        el('td', null, end),
      );
    });
    $('window-table').tBodies[0].replaceChildren(
      ...(rows.length ? rows : [el('tr', null, el('td', { colspan: 6, text: 'No current or future window.' }))]),
    );
  }
  async function endWindow(w) {
    const r = await api('DELETE', `/v1/maintenance/${encodeURIComponent(w.id)}`);
    $('maintenance-note').textContent = r.ok
      ? `The window for ${scopeText(w.scope)} has ended.`
      : problem(r, 'The maintenance windows API', 'maintenance:write');
    await loadWindows();
  }
  const kind = $('w-kind');
  const idInput = $('w-id');
  function scopeIds() {
    const s = tg.snapshot;
    if (!s || kind.value === 'all') return [];
    const trunks = s.trunks.filter(tg.inOrg);
    const ids =
      kind.value === 'trunkId'
        ? trunks.map((t) => t.id)
        : trunks
            .map((t) => (kind.value === 'edgeId' ? t.edge : t.trunkBase))
            .filter(Boolean)
            .map((x) => x.id);
    return [...new Set(ids)];
  }
  function syncScope() {
    idInput.disabled = idInput.hidden = kind.value === 'all';
    idInput.required = kind.value !== 'all';
    $('w-ids').replaceChildren(...scopeIds().map((id) => el('option', { value: id })));
  }
  kind.addEventListener('change', syncScope);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const scope = kind.value === 'all' ? { all: true } : { [kind.value]: idInput.value.trim() };
    // With several orgs the org chosen at the top is the window's (without one, `all` covers every org).
    if (tg.org) scope.org = tg.org;
    const body = { scope, startsAt: fromInput($('w-start').value), endsAt: fromInput($('w-end').value), reason: $('w-reason').value };
    const r = await api('POST', '/v1/maintenance', body);
    $('maintenance-note').textContent = r.ok
      ? `Window created for ${scopeText(scope)}.`
      : problem(r, 'The maintenance windows API', 'maintenance:write');
    if (r.ok) $('w-reason').value = '';
    await loadWindows();
  });
  $('w-start').value = localInput(new Date());
  $('w-end').value = localInput(new Date(Date.now() + 3600000));

  // ---- audit trail
  let cursor = null;
  const auditBody = $('audit-table').tBodies[0];
  function query(withCursor) {
    const q = new URLSearchParams({ limit: '100' });
    // An incident by its number once it has one: that also finds its entries from before ServiceNow numbered it.
    const incident = tg.snapshot && tg.snapshot.incidents.find((i) => i.correlationId === $('a-incident').value);
    if (incident && incident.number) q.set('incident', incident.number);
    else if ($('a-incident').value || $('a-trunk').value) q.set('subject', $('a-incident').value || $('a-trunk').value);
    if (tg.org) q.set('org', tg.org);
    if ($('a-since').value) q.set('since', fromInput($('a-since').value));
    if ($('a-until').value) q.set('until', fromInput($('a-until').value));
    if (withCursor && cursor) q.set('cursor', cursor);
    return q;
  }
  let asked = 0;
  async function loadAudit(more) {
    const ask = ++asked;
    const r = await api('GET', `/v1/audit?${query(more)}`);
    // Only the latest question's answer is shown, whatever order the answers come in.
    if (ask !== asked) return;
    if (!r.ok) {
      $('audit-note').textContent = problem(r, 'The audit trail API', 'audit:read');
      $('audit-more').hidden = true;
      return;
    }
    const rows = r.body.entries.map((a) =>
      el(
        'tr',
        { 'data-audit': a.id },
        el('td', null, when(a.at)),
        el('td', { text: a.subject }),
        el('td', { text: a.kind }),
        el('td', { text: a.message }),
      ),
    );
    if (more) auditBody.append(...rows);
    else auditBody.replaceChildren(...rows);
    cursor = r.body.nextCursor;
    $('audit-more').hidden = !cursor;
    $('audit-note').textContent =
      `${auditBody.rows.length} entr${auditBody.rows.length === 1 ? 'y' : 'ies'} shown${cursor ? '; older ones follow' : ''}.`;
  }
  $('audit-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void loadAudit(false);
  });
  $('audit-more').addEventListener('click', () => void loadAudit(true));
  // Trunk and incident are one subject: choosing one clears the other.
  $('a-trunk').addEventListener('change', () => ($('a-incident').value = ''));
  $('a-incident').addEventListener('change', () => ($('a-trunk').value = ''));

  /** Replaces a select's options (after "Any") only when they changed, keeping the choice. */
  function options(select, pairs) {
    const next = JSON.stringify(pairs);
    if (select.dataset.options === next) return;
    select.dataset.options = next;
    const chosen = select.value;
    select.replaceChildren(select.options[0], ...pairs.map(([value, label]) => el('option', { value, text: label })));
    select.value = chosen;
  }

  // The credentials' last 24 hours: token rotations and failures from the audit trail.
  async function loadTimeline() {
    const since = new Date(Date.now() - 86400000).toISOString();
    const [rotated, failed] = await Promise.all(
      ['token_rotated', 'token_refresh_failed'].map((kind) =>
        api('GET', `/v1/audit?${new URLSearchParams({ since, kind, limit: '500' })}`),
      ),
    );
    const r = rotated.ok ? failed : rotated;
    if (!r.ok) {
      $('timeline-note').textContent = problem(r, 'The audit trail API', 'audit:read');
      return;
    }
    const entries = [...rotated.body.entries, ...failed.body.entries].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
    $('timeline-note').textContent = entries.length ? '' : 'No token rotation or failure in the last 24 hours.';
    $('timeline').replaceChildren(
      ...entries.map((a) =>
        el(
          'li',
          { class: a.kind === 'token_refresh_failed' ? 'bad' : null },
          when(a.at),
          ` ${a.kind === 'token_rotated' ? 'rotated' : 'refresh failed'}: ${a.message}`,
        ),
      ),
    );
  }

  tg.onSnapshot((s) => {
    options(
      $('a-trunk'),
      s.trunks.filter(tg.inOrg).map((t) => [t.id, t.name ? `${t.name} (${t.id})` : t.id]),
    );
    options(
      $('a-incident'),
      s.incidents.filter(tg.inOrg).map((i) => [i.correlationId, i.number ? `${i.number} (${i.correlationId})` : i.correlationId]),
    );
    syncScope();
  });
  // The audit trail and the credentials' timeline are read once their section comes into view (or is
  // asked for): the board loads without them.
  const seen = { audit: false, credentials: false };
  const whenSeen = (id, fn) =>
    new IntersectionObserver((entries, observer) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      observer.disconnect();
      seen[id] = true;
      fn();
    }).observe($(id));
  // Watched from the first board on (before it the page is short and every section is in view).
  let watching = false;
  const watch = () => {
    if (watching || !tg.snapshot || !tg.whoami.caller) return;
    watching = true;
    requestAnimationFrame(() => {
      whenSeen('audit', () => void loadAudit(false));
      whenSeen('credentials', () => void loadTimeline());
    });
  };
  tg.onSnapshot(watch);
  document.addEventListener('tg:whoami', () => {
    void loadWindows();
    watch();
  });
  setInterval(() => {
    if (document.hidden) return;
    void loadWindows();
    if (seen.credentials) void loadTimeline();
  }, 15000);
})();
