// The trunkgate console: the board, incidents and credentials from the event stream (/console/events);
// tools.js adds maintenance windows and the audit trail, read and written through /v1.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const tg = (window.tg = { snapshot: null, whoami: { permissions: [], orgs: [] }, org: '', listeners: [] });
  tg.can = (permission) => tg.whoami.permissions.includes(permission);
  tg.onSnapshot = (fn) => tg.listeners.push(fn);

  /** An element with attributes (`text` sets its text) and children; null children are skipped. */
  tg.el = (tag, attrs, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'text') e.textContent = v;
      else if (k === 'class') e.className = v;
      else e.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  };
  const el = tg.el;

  const span = (ms) => {
    let s = Math.round(Math.abs(ms) / 1000);
    if (s < 60) return `${s} s`;
    const d = Math.floor(s / 86400);
    const h = Math.floor((s % 86400) / 3600);
    const m = Math.floor((s % 3600) / 60);
    s %= 60;
    if (d) return `${d} d ${h} h`;
    return h ? `${h} h ${m} min` : `${m} min ${s} s`;
  };
  const relative = (iso) => {
    const ms = Date.parse(iso) - Date.now();
    return ms >= 0 ? `in ${span(ms)}` : `${span(ms)} ago`;
  };
  const clock = (iso) => {
    const d = new Date(iso);
    return d.toDateString() === new Date().toDateString() ? d.toLocaleTimeString() : d.toLocaleString();
  };
  /** A `<time>`: the local time and, with `rel`, how long ago or until (kept current every second). */
  tg.when = (iso, rel) => {
    if (!iso) return '—';
    const t = el('time', { datetime: iso, title: new Date(iso).toLocaleString(), 'data-rel': rel ? 'yes' : null });
    t.textContent = rel ? relative(iso) : clock(iso);
    return rel ? el('span', null, t, el('small', { text: clock(iso) })) : t;
  };
  setInterval(() => {
    for (const t of document.querySelectorAll('time[data-rel]')) t.textContent = relative(t.getAttribute('datetime'));
  }, 1000);

  /** The state as a word with a mark, coloured: readable without the colour. */
  tg.badge = (word, kind) => el('span', { class: `state s-${kind || word}`, text: word });
  const cell = (...children) => el('td', null, ...children);
  const text = (value, small) => el('span', null, value || '—', small ? el('small', { text: small }) : null);
  const fill = (tbody, rows, cols, empty) =>
    tbody.replaceChildren(...(rows.length ? rows : [el('tr', null, el('td', { colspan: cols, text: empty }))]));
  const inOrg = (x) => !tg.org || x.org === tg.org;
  tg.inOrg = inOrg;

  function delivery(incident) {
    if (!incident) return '—';
    if (incident.lastDeliveryError)
      return el('span', null, tg.badge('delivery failing', 'error'), el('small', { text: incident.lastDeliveryError }));
    if (incident.pendingDeliveries > 0) return tg.badge(`${incident.pendingDeliveries} pending`, 'pending');
    return incident.number ? tg.badge('delivered', 'delivered') : tg.badge('awaiting number', 'pending');
  }

  function renderBoard(s) {
    const open = new Map();
    for (const i of s.incidents) if (i.state === 'open') for (const id of i.trunkIds) open.set(id, i);
    const several = s.orgs.length > 1;
    const rows = s.trunks.filter(inOrg).map((t) => {
      const incident = open.get(t.id);
      const state = el('td', null, tg.badge(t.state));
      if (t.maintenance)
        state.append(' ', tg.badge('maintenance', 'maintenance'), el('small', { text: `until ${clock(t.maintenance.endsAt)}` }));
      return el(
        'tr',
        { class: t.healthy ? null : 'failing', 'data-trunk': t.id },
        el('th', { scope: 'row' }, text(t.name || t.id, several ? `${t.id} · ${t.org}` : t.id)),
        state,
        cell(tg.when(t.since, true)),
        cell(t.sipCode ? text(String(t.sipCode), t.errorText) : text(t.errorText)),
        cell(text(t.edge && (t.edge.name || t.edge.id))),
        cell(text(t.trunkBase && (t.trunkBase.name || t.trunkBase.id))),
        cell(
          t.incident
            ? text(t.incident.number || 'being opened', t.incident.servicenowState && `ServiceNow state ${t.incident.servicenowState}`)
            : '—',
        ),
        cell(t.incident ? delivery(incident) : '—'),
      );
    });
    fill($('trunks').tBodies[0], rows, 8, 'No trunk seen yet.');
    const failing = s.trunks.filter((t) => inOrg(t) && !t.healthy).length;
    const incidents = s.incidents.filter((i) => inOrg(i) && i.state === 'open').length;
    const summary = `${rows.length} trunks, ${failing} failing; ${incidents} open incident${incidents === 1 ? '' : 's'}.`;
    // Announced (aria-live) only when it changes, not on every refresh.
    if ($('summary').textContent !== summary) $('summary').textContent = summary;
  }

  function renderIncidents(s) {
    const bases = new Map(s.trunks.filter((t) => t.trunkBase).map((t) => [t.trunkBase.id, t.trunkBase.name || t.trunkBase.id]));
    const rows = s.incidents
      .filter(inOrg)
      .map((i) =>
        el(
          'tr',
          { 'data-incident': i.correlationId },
          el('th', { scope: 'row' }, text(i.number || 'not numbered yet', i.correlationId)),
          cell(tg.badge(i.state), i.reopenCount ? el('small', { text: `reopened ${i.reopenCount}×` }) : null),
          cell(text(i.trunkBaseId ? `trunk base ${bases.get(i.trunkBaseId) || i.trunkBaseId}` : i.kind, i.trunkIds.join(', '))),
          cell(tg.when(i.openedAt)),
          cell(tg.when(i.resolvedAt)),
          cell(i.pendingDeliveries > 0 ? tg.badge(String(i.pendingDeliveries), 'pending') : '0'),
          cell(i.lastDeliveryError ? el('span', { class: 'err', text: i.lastDeliveryError }) : '—'),
        ),
      );
    fill($('incident-table').tBodies[0], rows, 7, 'No incident.');
    const alerts = s.alerts.map((a) =>
      el(
        'li',
        null,
        tg.badge(a.clearedAt ? 'cleared' : 'raised', a.clearedAt ? 'ok' : 'error'),
        ` ${a.summary} — raised ${clock(a.raisedAt)}; ${a.sentAt ? `sent to the helpdesk ${clock(a.sentAt)}` : 'not sent yet'}`,
        a.clearedAt ? `; cleared ${clock(a.clearedAt)}` : '',
      ),
    );
    $('alerts').replaceChildren(...(alerts.length ? alerts : [el('li', { text: 'No helpdesk alert raised.' })]));
  }

  function renderCredentials(s) {
    const rows = s.credentials.map((c) =>
      el(
        'tr',
        { 'data-connection': c.connection },
        el('th', { scope: 'row' }, text(c.name, c.connection !== 'default' ? `connection ${c.connection}` : null)),
        cell(tg.badge(c.state)),
        cell(tg.when(c.expiresAt, true)),
        cell(tg.when(c.nextRefreshAt, true)),
        cell(c.verified ? 'yes' : 'no'),
        cell(c.scopes.length ? c.scopes.join(' ') : '—'),
        cell(`${c.refreshCount} / ${c.failureCount}`),
        cell(c.lastError ? el('span', { class: 'err', text: c.lastError }) : '—'),
      ),
    );
    fill($('credential-table').tBodies[0], rows, 8, 'No upstream connection.');
  }

  tg.render = () => {
    const s = tg.snapshot;
    if (!s) return;
    renderBoard(s);
    renderIncidents(s);
    renderCredentials(s);
    for (const fn of tg.listeners) fn(s);
  };

  const live = (message, down) => {
    if ($('live').textContent !== message) $('live').textContent = message;
    $('live').classList.toggle('down', Boolean(down));
  };
  let updatedAt = null;
  const events = new EventSource('/console/events');
  events.addEventListener('open', () => live('Live'));
  events.addEventListener('snapshot', (e) => {
    tg.snapshot = JSON.parse(e.data);
    updatedAt = new Date().toISOString();
    live('Live');
    $('live').title = `updated ${clock(updatedAt)}`;
    tg.render();
  });
  events.addEventListener('problem', () =>
    live(`trunkgate cannot read its store: the board is as of ${clock(updatedAt || new Date())}`, true),
  );
  // A stream ended by its age is picked up again at once: no alarm for that.
  let expected = false;
  events.addEventListener('reconnect', () => (expected = true));
  events.addEventListener('closing', () => live('trunkgate is restarting: reconnecting…', true));
  events.addEventListener('error', () => {
    if (expected) expected = false;
    else live(`Reconnecting…${updatedAt ? ` the board is as of ${clock(updatedAt)}` : ''}`, true);
  });

  $('org').addEventListener('change', (e) => {
    tg.org = e.target.value;
    tg.render();
  });
  fetch('/console/whoami', { headers: { accept: 'application/json' } })
    .then((r) => (r.ok ? r.json() : Promise.reject(new Error(String(r.status)))))
    .then((who) => {
      tg.whoami = who;
      $('who').textContent = `Signed in as ${who.caller}${tg.can('maintenance:write') ? '' : ' (read-only)'}`;
      if (who.orgs.length > 1) {
        $('org').append(...who.orgs.map((o) => el('option', { value: o, text: o })));
        $('org-filter').hidden = false;
      }
      document.dispatchEvent(new Event('tg:whoami'));
    })
    .catch(() => ($('who').textContent = 'Cannot tell who is signed in.'));
})();
