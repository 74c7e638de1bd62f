// Lightcone's admin page (served at /admin; see server/src/http/admin.rs). Plain browser
// JavaScript, no build step and no dependencies: it polls the server's JSON API with the
// owner's token and draws what it gets.
"use strict";

/** How often the selected database is polled, in milliseconds. */
const POLL_MS = 1000;
/** Points of commits/s kept for the chart (two minutes at one poll a second). */
const CHART_POINTS = 120;
/** Rows the row browser asks for. */
const BROWSE_LIMIT = 100;
const TOKEN_KEY = "lightcone-admin-token";

const $ = (id) => document.getElementById(id);

const state = {
  token: null,
  identity: null,
  selected: null, // database identity
  timer: null,
  last: null, // { transactions, at } of the previous poll
  rates: [],
  browsing: null, // table name
};

/** The identity a token names: its `hex_identity` claim (JWT payload, not verified here;
 * the server checks the token on every request). */
function identityOf(token) {
  const parts = token.split(".");
  if (parts.length !== 3) throw new Error("that is not a token (expected three dot-separated parts)");
  const json = atob(parts[1].replace(/-/g, "+").replace(/_/g, "/"));
  const claims = JSON.parse(json);
  if (typeof claims.hex_identity !== "string") throw new Error("the token has no hex_identity claim");
  return claims.hex_identity;
}

async function api(path, options = {}) {
  const headers = Object.assign({ Authorization: "Bearer " + state.token }, options.headers || {});
  const response = await fetch(path, Object.assign({}, options, { headers }));
  const text = await response.text();
  if (!response.ok) throw new Error(response.status + ": " + (text || response.statusText));
  return text ? JSON.parse(text) : null;
}

function text(tag, content, className) {
  const el = document.createElement(tag);
  el.textContent = content;
  if (className) el.className = className;
  return el;
}

function bytes(n) {
  if (n < 1024) return n + " B";
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let i = -1;
  do { v /= 1024; i++; } while (v >= 1024 && i < units.length - 1);
  return v.toFixed(v < 10 ? 1 : 0) + " " + units[i];
}

/** A SATS-JSON value as one line of text. Special products of one field (an Identity,
 * a Timestamp) show as that field. */
function cell(value) {
  if (Array.isArray(value) && value.length === 1 && typeof value[0] !== "object") value = value[0];
  return typeof value === "string" ? value : JSON.stringify(value);
}

async function logIn(token) {
  state.token = token;
  state.identity = identityOf(token);
  const reply = await api("/v1/identity/" + state.identity + "/databases");
  if (!reply.databases) throw new Error("the server did not accept this token as its owner's");
  sessionStorage.setItem(TOKEN_KEY, token);
  $("who").textContent = state.identity;
  $("logout").hidden = false;
  $("login-panel").hidden = true;
  $("main").hidden = false;
  showDatabases(reply.databases);
}

function logOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  clearInterval(state.timer);
  location.reload();
}

function showDatabases(databases) {
  const list = $("databases");
  list.replaceChildren();
  if (databases.length === 0) list.append(text("li", "No databases yet: lightcone publish one."));
  for (const db of databases) {
    const button = text("button", db.names[0] || db.identity.slice(0, 16) + "…");
    button.dataset.identity = db.identity;
    button.title = db.identity + (db.status === "failed" ? " (failed to open: " + db.error + ")" : "");
    button.addEventListener("click", () => select(db));
    const item = document.createElement("li");
    item.append(button);
    list.append(item);
  }
  if (databases.length > 0) select(databases[0]);
}

function select(db) {
  state.selected = db.identity;
  state.last = null;
  state.rates = [];
  state.browsing = null;
  $("browser").hidden = true;
  for (const b of $("databases").querySelectorAll("button")) {
    b.classList.toggle("selected", b.dataset.identity === db.identity);
  }
  $("db-title").textContent = db.names[0] || "(unnamed)";
  $("db-identity").textContent = db.identity;
  $("database").hidden = false;
  clearInterval(state.timer);
  poll();
  state.timer = setInterval(poll, POLL_MS);
}

async function poll() {
  const identity = state.selected;
  let s;
  try {
    s = await api("/v1/database/" + identity + "/admin");
    $("poll-error").textContent = "";
  } catch (e) {
    $("poll-error").textContent = "could not read the database: " + e.message;
    return;
  }
  if (identity !== state.selected) return;
  const now = performance.now();
  if (state.last) {
    const seconds = (now - state.last.at) / 1000;
    const rate = seconds > 0 ? (s.transactions - state.last.transactions) / seconds : 0;
    state.rates.push(Math.max(0, rate));
    if (state.rates.length > CHART_POINTS) state.rates.shift();
    $("stat-rate").textContent = rate.toFixed(rate < 10 ? 1 : 0);
  }
  state.last = { transactions: s.transactions, at: now };
  $("stat-transactions").textContent = s.transactions.toLocaleString("en");
  $("stat-clients").textContent = s.clients.length;
  $("stat-table-bytes").textContent = bytes(s.table_bytes);
  $("stat-module-bytes").textContent = bytes(s.module_memory_bytes);
  showTables(s.tables);
  showClients(s.clients);
  showLogs(s.logs);
  drawChart();
  if (state.browsing) browse(state.browsing);
}

function showTables(tables) {
  const body = $("tables").tBodies[0];
  body.replaceChildren();
  for (const t of tables) {
    const row = document.createElement("tr");
    row.dataset.table = t.name;
    row.append(
      text("td", t.name),
      text("td", t.event ? "event" : t.rows.toLocaleString("en"), "num rows"),
      text("td", t.public ? "public" : "private"),
    );
    row.addEventListener("click", () => browse(t.name));
    body.append(row);
  }
}

async function browse(table) {
  state.browsing = table;
  $("browser").hidden = false;
  $("browser-table").textContent = table;
  $("browser-limit").textContent = BROWSE_LIMIT;
  const sql = 'SELECT * FROM "' + table.replace(/"/g, '""') + '" LIMIT ' + BROWSE_LIMIT;
  let result;
  try {
    const reply = await api("/v1/database/" + state.selected + "/sql", { method: "POST", body: sql });
    result = reply[0];
    $("browser-error").textContent = "";
  } catch (e) {
    $("browser-error").textContent = e.message;
    return;
  }
  const head = $("rows").tHead;
  const body = $("rows").tBodies[0];
  const columns = result.schema.elements.map((e, i) => (e.name && e.name.some) || "#" + i);
  const headRow = document.createElement("tr");
  for (const c of columns) headRow.append(text("th", c));
  head.replaceChildren(headRow);
  body.replaceChildren();
  for (const r of result.rows) {
    const row = document.createElement("tr");
    for (const v of r) row.append(text("td", cell(v)));
    body.append(row);
  }
}

function showClients(clients) {
  const body = $("clients").tBodies[0];
  body.replaceChildren();
  if (clients.length === 0) {
    const row = document.createElement("tr");
    const td = text("td", "no WebSocket clients connected");
    td.colSpan = 5;
    row.append(td);
    body.append(row);
  }
  for (const c of clients) {
    const row = document.createElement("tr");
    row.append(
      text("td", c.identity.slice(0, 16) + "…"),
      text("td", c.connection_id.slice(0, 12) + "…"),
      text("td", String(c.query_sets), "num"),
      text("td", c.queries.join("\n"), "queries"),
      text("td", c.queued_bytes.toLocaleString("en"), "num"),
    );
    row.cells[0].title = c.identity;
    row.cells[1].title = c.connection_id;
    body.append(row);
  }
}

function showLogs(lines) {
  const list = $("logs");
  const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 4;
  list.replaceChildren();
  for (const l of lines) {
    const when = new Date(l.ts / 1000).toISOString().slice(11, 23);
    list.append(text("li", when + " " + l.level.toUpperCase() + " " + l.message, "level-" + l.level));
  }
  if (atBottom) list.scrollTop = list.scrollHeight;
}

function drawChart() {
  const canvas = $("chart");
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || canvas.width;
  const height = canvas.clientHeight || canvas.height;
  canvas.width = width * ratio;
  canvas.height = height * ratio;
  const g = canvas.getContext("2d");
  g.scale(ratio, ratio);
  g.clearRect(0, 0, width, height);
  const max = Math.max(1, ...state.rates);
  const pad = 18;
  g.strokeStyle = "#dde1e8";
  g.fillStyle = "#6a7385";
  g.font = "11px system-ui, sans-serif";
  g.beginPath();
  g.moveTo(0, pad);
  g.lineTo(width, pad);
  g.moveTo(0, height - 1);
  g.lineTo(width, height - 1);
  g.stroke();
  g.fillText(max.toFixed(max < 10 ? 1 : 0) + "/s", 4, pad - 5);
  if (state.rates.length < 2) return;
  const step = width / (CHART_POINTS - 1);
  const x0 = width - step * (state.rates.length - 1);
  g.strokeStyle = "#4a5bdc";
  g.lineWidth = 2;
  g.beginPath();
  state.rates.forEach((r, i) => {
    const x = x0 + i * step;
    const y = height - 1 - (r / max) * (height - 1 - pad);
    if (i === 0) g.moveTo(x, y); else g.lineTo(x, y);
  });
  g.stroke();
}

function start() {
  $("login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("login-error").textContent = "";
    try {
      await logIn($("token").value.trim());
    } catch (e) {
      $("login-error").textContent = "Could not log in: " + e.message;
    }
  });
  $("logout").addEventListener("click", logOut);
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) logIn(saved).catch(() => sessionStorage.removeItem(TOKEN_KEY));
}

start();
