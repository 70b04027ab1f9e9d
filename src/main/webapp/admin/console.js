// Herald's admin console: a plain ES module over the admin and audit API (docs/protocol.md, section
// "Admin and audit API"). Everything shown comes from users and publishers, so text is only ever
// set through textContent, never parsed as HTML.

const TOKEN_KEY = 'herald.admin.token';
const REFRESH_MS = 5000;
const MAX_ROWS = 1000;
const PAGE = 100;

const apiBase = new URL('../api/', document.baseURI);
const auditSocketUrl = (() => {
  const url = new URL('../ws/audit', document.baseURI);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url;
})();

const $ = (id) => document.getElementById(id);

/** Creates an element; string children become text nodes. */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null) node[key] = value;
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

let token = sessionStorage.getItem(TOKEN_KEY);
let expiryTimer;
let refreshTimer;

// ---- HTTP -------------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(new URL(path, apiBase), {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  });
  const text = await response.text();
  let json = null;
  if (text) {
    try { json = JSON.parse(text); } catch { json = null; }
  }
  if (!response.ok) {
    if (response.status === 401 && token) signOut('Your token is no longer accepted; sign in again.');
    throw new ApiError(response.status, json);
  }
  return json;
}

function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, value);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

// ---- Sign-in ----------------------------------------------------------------------------------

/** The JWT's payload, unverified: only to show who is signed in and when the token runs out. */
function claims(jwt) {
  try {
    const part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(part.padEnd(part.length + (4 - part.length % 4) % 4, '=')), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return {};
  }
}

async function signIn(candidate) {
  token = candidate.trim();
  $('sign-in-error').textContent = '';
  try {
    const health = await api('GET', 'admin/health');
    sessionStorage.setItem(TOKEN_KEY, token);
    showConsole(health);
  } catch (e) {
    const message = e.status === 403 ? 'This token is valid but has no admin role.'
      : e.status === 401 ? 'This token is not accepted (malformed, expired or wrongly signed).'
        : `Herald did not answer: ${e.message}`;
    token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    showSignIn(message);
  }
}

function signOut(message) {
  token = null;
  sessionStorage.removeItem(TOKEN_KEY);
  clearTimeout(expiryTimer);
  clearInterval(refreshTimer);
  auditFeed.stop();
  showSignIn(message || '');
}

async function showSignIn(message) {
  $('console').hidden = true;
  $('who').hidden = true;
  $('health').hidden = true;
  $('sign-in').hidden = false;
  $('sign-in-error').textContent = message || '';
  // Development mode answers a token request without `sub` with 400; otherwise the endpoint is 404.
  try {
    const probe = await fetch(new URL('dev/token', apiBase), { cache: 'no-store' });
    $('dev-sign-in').hidden = probe.status !== 400;
  } catch {
    $('dev-sign-in').hidden = true;
  }
}

async function developmentSignIn() {
  try {
    const issued = await api('GET', `dev/token${query({ sub: 'admin', roles: 'admin', ttl: '8h' })}`);
    await signIn(issued.token);
  } catch (e) {
    showSignIn(`No development token: ${e.message}`);
  }
}

function showConsole(health) {
  const payload = claims(token);
  $('sign-in').hidden = true;
  $('console').hidden = false;
  $('who').hidden = false;
  $('who').querySelector('[data-testid="signed-in-as"]').textContent = `signed in as ${payload.sub ?? '?'}`;
  renderHealth(health);
  clearTimeout(expiryTimer);
  if (typeof payload.exp === 'number') {
    const left = payload.exp * 1000 - Date.now();
    expiryTimer = setTimeout(() => signOut('Your token has expired; sign in again.'), Math.max(0, Math.min(left, 2 ** 31 - 1)));
  }
  clearInterval(refreshTimer);
  refreshTimer = setInterval(refreshVisible, REFRESH_MS);
  auditFeed.start();
}

// ---- Health -----------------------------------------------------------------------------------

function renderHealth(h) {
  const box = $('health');
  const part = (name) => box.querySelector(`[data-testid="health-${name}"]`);
  box.hidden = false;
  part('status').textContent = h.status;
  part('status').dataset.status = h.status;
  part('instance').textContent = `instance ${h.instance}`;
  part('connections').textContent = `${h.connections} connections`;
  part('broker').textContent = `broker ${h.broker?.type ?? '?'} ${h.broker?.connected ? 'connected' : 'DISCONNECTED'}`;
  part('store').textContent = `store ${h.store?.up ? 'up' : 'DOWN'}`;
  part('audit').textContent = h.audit ? `audit queued ${h.audit.queued}, dropped ${h.audit.dropped}` : '';
}

async function refreshHealth() {
  try {
    renderHealth(await api('GET', 'admin/health'));
  } catch (e) {
    if (token) {
      const status = $('health').querySelector('[data-testid="health-status"]');
      status.textContent = 'UNREACHABLE';
      status.dataset.status = 'DOWN';
    }
  }
}

// ---- Tabs -------------------------------------------------------------------------------------

let currentTab = 'audit';

function selectTab(name) {
  currentTab = name;
  for (const button of document.querySelectorAll('.tabs button')) {
    button.setAttribute('aria-selected', String(button.dataset.tab === name));
  }
  for (const panel of document.querySelectorAll('.tab')) panel.hidden = panel.id !== name;
  refreshVisible();
}

function refreshVisible() {
  if (!token) return;
  refreshHealth();
  if (currentTab === 'connections') loadConnections();
  if (currentTab === 'channels') loadChannels();
}

// ---- Audit ------------------------------------------------------------------------------------

/** Records shown, newest first, with their ids so a record seen both live and in a page shows once. */
let records = [];
let shownIds = new Set();
let nextCursor = null;
let filterGeneration = 0;

function currentFilter() {
  const form = $('audit-filter');
  const filter = {};
  for (const name of ['type', 'user', 'channel', 'outcome']) {
    const value = form.elements[name].value.trim();
    if (value) filter[name] = value;
  }
  return filter;
}

function formatTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

function auditRow(record, fresh) {
  const detail = record.detail && Object.keys(record.detail).length ? JSON.stringify(record.detail) : '';
  return el('tr', { className: fresh ? 'fresh' : '', dataset: { id: record.id, type: record.type } },
    el('td', { className: 'mono', title: record.time }, formatTime(record.time)),
    el('td', {}, record.type),
    el('td', { className: `outcome-${record.outcome}` }, record.outcome),
    el('td', {}, record.user ?? ''),
    el('td', { className: 'mono' }, record.channel ?? ''),
    el('td', {}, record.transport ?? ''),
    el('td', { className: 'mono' }, record.instance ?? ''),
    el('td', { className: 'detail' }, detail));
}

function renderAudit() {
  $('audit-rows').replaceChildren(...records.map((r) => auditRow(r, false)));
  $('audit-empty').hidden = records.length > 0;
  $('audit-older').hidden = !nextCursor;
}

function addLive(record) {
  if (shownIds.has(record.id)) return;
  shownIds.add(record.id);
  records.unshift(record);
  $('audit-rows').prepend(auditRow(record, true));
  while (records.length > MAX_ROWS) {
    shownIds.delete(records.pop().id);
    $('audit-rows').lastElementChild?.remove();
  }
  $('audit-empty').hidden = true;
}

async function reloadAudit() {
  const generation = ++filterGeneration;
  const live = records;
  try {
    const page = await api('GET', `audit${query({ ...currentFilter(), limit: PAGE })}`);
    if (generation !== filterGeneration) return;
    // Keep live records that arrived for this filter while the page loaded.
    const merged = new Map();
    for (const r of [...live, ...page.items]) if (!merged.has(r.id)) merged.set(r.id, r);
    records = [...merged.values()].sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
    shownIds = new Set(records.map((r) => r.id));
    nextCursor = page.next;
    renderAudit();
  } catch (e) {
    toast(`Audit search failed: ${e.message}`, 'error');
  }
}

async function loadOlder() {
  if (!nextCursor) return;
  try {
    const page = await api('GET', `audit${query({ ...currentFilter(), limit: PAGE, cursor: nextCursor })}`);
    for (const r of page.items) {
      if (!shownIds.has(r.id)) {
        shownIds.add(r.id);
        records.push(r);
        $('audit-rows').append(auditRow(r, false));
      }
    }
    nextCursor = page.next;
    $('audit-older').hidden = !nextCursor;
    $('audit-empty').hidden = records.length > 0;
  } catch (e) {
    toast(`Audit search failed: ${e.message}`, 'error');
  }
}

function applyFilter() {
  records = [];
  shownIds = new Set();
  nextCursor = null;
  renderAudit();
  // The live feed reloads the search when it confirms the filter; without a feed, search now.
  if (!auditFeed.sendFilter()) reloadAudit();
}

/**
 * The live tail on /ws/audit: authenticates with an auth frame (keeping the token out of URLs),
 * reconnects with jitter. The server answers the stream's start and every filter frame with
 * `filtered`; audit frames that arrive while a filter change is pending may match the old filter
 * and are skipped, and each `filtered` reloads the search, which fills in anything skipped.
 */
const auditFeed = (() => {
  let socket = null;
  let attempt = 0;
  let retryTimer;
  let running = false;
  let pendingFilters = 0;

  const state = (name) => {
    const badge = document.querySelector('[data-testid="audit-live"]');
    badge.dataset.state = name;
    badge.textContent = name;
  };

  function send(frame) {
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(frame));
    return true;
  }

  /** Sends the form's filter; false when the feed is not connected (its next start sends it). */
  function sendFilter() {
    if (!send({ type: 'filter', filter: currentFilter() })) return false;
    pendingFilters++;
    state('connecting');
    return true;
  }

  function connect() {
    clearTimeout(retryTimer);
    if (!running || !token) return;
    state('connecting');
    const ws = new WebSocket(auditSocketUrl);
    socket = ws;
    pendingFilters = 1; // the stream's own `filtered` when it starts
    ws.onopen = () => ws.send(JSON.stringify({ type: 'auth', token }));
    ws.onmessage = (message) => {
      let frame;
      try { frame = JSON.parse(message.data); } catch { return; }
      switch (frame.type) {
        case 'welcome':
          attempt = 0;
          sendFilter();
          break;
        case 'filtered':
          pendingFilters = Math.max(0, pendingFilters - 1);
          if (pendingFilters === 0) {
            state('live');
            reloadAudit();
          }
          break;
        case 'audit':
          if (pendingFilters === 0) addLive(frame.record);
          break;
        case 'ping':
          send({ type: 'pong' });
          break;
        case 'error':
          toast(`Audit feed: ${frame.message ?? frame.code}`, 'error');
          break;
        default:
          break;
      }
    };
    ws.onclose = (event) => {
      if (socket !== ws) return;
      socket = null;
      if (!running) return;
      state('closed');
      if (event.code === 4003) {
        signOut('This token has no admin role.');
      } else if (event.code === 4001 || event.code === 4010) {
        signOut('Your token is no longer accepted; sign in again.');
      } else {
        // Full jitter, 0.5 s doubling to 20 s; the next `filtered` reloads what was missed meanwhile.
        const ceiling = Math.min(20000, 500 * 2 ** attempt++);
        retryTimer = setTimeout(connect, Math.random() * ceiling);
      }
    };
  }

  return {
    start() { running = true; attempt = 0; connect(); },
    stop() {
      running = false;
      clearTimeout(retryTimer);
      const ws = socket;
      socket = null;
      if (ws) ws.close(1000, 'signed out');
      state('closed');
    },
    sendFilter,
  };
})();

// ---- Connections ------------------------------------------------------------------------------

function age(iso) {
  const seconds = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
  return `${Math.floor(seconds / 3600)}h ${Math.floor(seconds / 60) % 60}m`;
}

async function loadConnections() {
  try {
    const user = $('connections-user').value.trim();
    const list = await api('GET', `admin/connections${query({ user })}`);
    $('connection-rows').replaceChildren(...list.items.map((c) => el('tr', { dataset: { id: c.id, user: c.user } },
      el('td', { className: 'mono' }, c.id),
      el('td', {}, c.user),
      el('td', { className: 'mono' }, c.instance ?? ''),
      el('td', {}, c.transport ?? ''),
      el('td', { className: 'mono' }, (c.channels ?? []).join(', ')),
      el('td', { title: c.connectedAt }, c.connectedAt ? age(c.connectedAt) : ''),
      el('td', {}, c.messagesSent ?? ''),
      el('td', {},
        el('button', { type: 'button', className: 'danger', textContent: 'Disconnect', dataset: { testid: 'disconnect-connection' },
          onclick: () => disconnectConnection(c.id) }),
        ' ',
        el('button', { type: 'button', className: 'danger', textContent: 'Disconnect user', dataset: { testid: 'disconnect-user' },
          onclick: () => disconnectUser(c.user) })))));
    $('connections-count').textContent = `${list.items.length} connection${list.items.length === 1 ? '' : 's'}`;
  } catch (e) {
    toast(`Connections: ${e.message}`, 'error');
  }
}

async function disconnectConnection(id) {
  try {
    await api('DELETE', `admin/connections/${encodeURIComponent(id)}`);
    toast(`Disconnected ${id}`);
  } catch (e) {
    toast(`Disconnect failed: ${e.message}`, 'error');
  }
  loadConnections();
}

async function disconnectUser(user) {
  try {
    const result = await api('DELETE', `admin/users/${encodeURIComponent(user)}/connections`);
    toast(`Disconnected ${result.closed} connection${result.closed === 1 ? '' : 's'} of ${user}`);
  } catch (e) {
    toast(`Disconnect failed: ${e.message}`, 'error');
  }
  loadConnections();
}

// ---- Channels ---------------------------------------------------------------------------------

async function loadChannels() {
  try {
    const list = await api('GET', 'admin/channels');
    $('channel-rows').replaceChildren(...list.items.map((c) => el('tr', { dataset: { channel: c.channel } },
      el('td', { className: 'mono' }, c.channel),
      el('td', {}, c.subscribers),
      el('td', {}, c.head),
      el('td', {}, typeof c.eventsPerSecond === 'number' ? c.eventsPerSecond.toFixed(1) : ''))));
    $('channels-count').textContent = `${list.items.length} active channel${list.items.length === 1 ? '' : 's'} on this instance`;
  } catch (e) {
    toast(`Channels: ${e.message}`, 'error');
  }
}

async function publishTest(form) {
  const result = $('publish-result');
  result.textContent = '';
  let data;
  try {
    data = form.elements.data.value.trim() ? JSON.parse(form.elements.data.value) : null;
  } catch (e) {
    result.textContent = `Data is not JSON: ${e.message}`;
    return;
  }
  const channel = form.elements.channel.value.trim();
  try {
    const published = await api('POST', `channels/${encodeURIComponent(channel)}/events`,
      { type: form.elements.type.value.trim(), data });
    result.textContent = `published ${channel} #${published?.seq ?? '?'}`;
    loadChannels();
  } catch (e) {
    result.textContent = `refused: ${e.message}`;
  }
}

// ---- Toast ------------------------------------------------------------------------------------

let toastTimer;
function toast(message, kind = 'info') {
  const box = $('toast');
  box.textContent = message;
  box.dataset.kind = kind;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, 4000);
}

// ---- Wiring -----------------------------------------------------------------------------------

$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const value = $('token-input').value;
  if (value.trim()) signIn(value);
});
$('dev-sign-in').addEventListener('click', developmentSignIn);
$('sign-out').addEventListener('click', () => signOut(''));
for (const button of document.querySelectorAll('.tabs button')) {
  button.addEventListener('click', () => selectTab(button.dataset.tab));
}
$('audit-filter').addEventListener('submit', (event) => { event.preventDefault(); applyFilter(); });
$('audit-filter').addEventListener('reset', () => setTimeout(applyFilter));
$('audit-older').addEventListener('click', loadOlder);
$('connections-refresh').addEventListener('click', loadConnections);
$('connections-user').addEventListener('change', loadConnections);
$('channels-refresh').addEventListener('click', loadChannels);
$('publish-form').addEventListener('submit', (event) => { event.preventDefault(); publishTest(event.target); });

if (token) signIn(token); else showSignIn('');
