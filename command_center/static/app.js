// The wall display: sign in as an operator, load the open cases, then follow the live stream.

import { Session, SessionEnded, SignInError } from "./api.js";
import { CityMap } from "./map.js";
import { EventStream, forgetCursor, storedCursor } from "./stream.js";
import { clockWIB, dateWIB, h, lateBy, timeWIB } from "./util.js";

const OPEN = new Set(["SUBMITTED", "VERIFIED", "DISPATCHED", "IN_PROGRESS"]);
const STATUS_LABEL = {
  SUBMITTED: "Baru", VERIFIED: "Terverifikasi", DISPATCHED: "Didisposisikan",
  IN_PROGRESS: "Dikerjakan", RESOLVED: "Selesai", CLOSED: "Ditutup", REJECTED: "Ditolak",
  DUPLICATE: "Duplikat",
};
const EVENT_LABEL = {
  COMPLAINT_SUBMITTED: "Laporan baru", COMPLAINT_SUPPORTED: "Didukung warga",
  COMPLAINT_VERIFIED: "Diverifikasi", COMPLAINT_REJECTED: "Ditolak",
  COMPLAINT_DUPLICATE: "Ditandai duplikat", COMPLAINT_RECATEGORISED: "Kategori diubah",
  COMPLAINT_DISPATCHED: "Didisposisikan", COMPLAINT_RECALLED: "Disposisi ditarik",
  COMPLAINT_RETURNED: "Dikembalikan SKPD", COMPLAINT_ACCEPTED: "Diterima SKPD",
  COMPLAINT_PROGRESS: "Progres penanganan", COMPLAINT_RESOLVED: "Selesai ditangani",
  COMPLAINT_REOPENED: "Dibuka kembali", COMPLAINT_CONFIRMED: "Dikonfirmasi warga",
  COMPLAINT_CLOSED: "Ditutup", COMPLAINT_OVERDUE: "Lewat tenggat",
};
const FEED_MAX = 60;
const FEED_FROM_SNAPSHOT = 30;
const FRESH_MS = 60_000; // events younger than this flash when they arrive
const RECONCILE_MS = 60_000;
const QUEUE_PAGES = 20; // 2,000 open cases: far above Batu's load

const CASE_FIELDS = `id ticketNumber status category { code name } lat lon
  area { villageName districtName } slaDueAt overdue dispatchedTo { code } createdAt updatedAt`;
const QUEUE = `query($after: String) { caseQueue(first: 100, after: $after) {
  pageInfo { hasNextPage endCursor } edges { node { ${CASE_FIELDS} } } } }`;
const WORKLOAD = `{ skpdWorkload { skpd { code name } openCases overdueCases awaitingAcceptance } }`;
const REFERENCE = `{ complaintCategories(includeInactive: true) { code name }
  city: areas(level: CITY) { approximate geojson }
  districts: areas(level: DISTRICT) { approximate geojson }
  villages: areas(level: VILLAGE) { approximate geojson } }`;
const EVENTS = `subscription($after: String) { commandCenterEvents(after: $after) {
  cursor type occurredAt note
  case { id ticketNumber status categoryCode lat lon villageCode districtCode slaDueAt
         skpdCodes overdue }
  complaint { ${CASE_FIELDS} } } }`;

// Among Tani farming beside the complaints: open crop questions past their first-answer
// deadline and open pest alerts (operators hear both on farmingEvents). What the wall shows
// is reloaded whenever that stream says something changed, and when it (re)connects.
const FARM = `{ overdueCropQuestions { id commodityCode problemType village { name }
    dueAt overdueSince officerCount }
  pestAlerts(status: OPEN) { id commodityCode problemType questionCount createdAt } }`;
const FARM_EVENTS = `subscription { farmingEvents { cursor type } }`;
const PROBLEM_LABEL = {
  PEST: "Hama", DISEASE: "Penyakit", NUTRIENT: "Hara", WEATHER: "Cuaca",
  POST_HARVEST: "Pascapanen", MARKET: "Pasar", OTHER: "Lainnya",
};

const $ = (id) => document.getElementById(id);
const session = new Session();
const state = {
  cases: new Map(), // open cases by id
  categories: new Map(), // code → name
  villages: new Map(), // code → name
  skpdNames: new Map(),
  workload: [],
  feedKeys: new Set(),
  farm: { questions: [], alerts: [] },
};
let map = null;
let stream = null;
let farmStream = null;
const timers = [];

// -- cases ------------------------------------------------------------------------------

const time = (value) => (value ? Date.parse(value) : null);

function fromComplaint(node) {
  return {
    id: node.id,
    ticketNumber: node.ticketNumber,
    status: node.status,
    categoryCode: node.category.code,
    categoryName: node.category.name,
    lat: node.lat,
    lon: node.lon,
    villageName: node.area.villageName || "",
    districtName: node.area.districtName || "",
    slaDueAt: time(node.slaDueAt),
    overdue: node.overdue,
    skpdCodes: node.dispatchedTo.map((s) => s.code),
    createdAt: time(node.createdAt),
    updatedAt: time(node.updatedAt),
  };
}

function fromSummary(event) {
  const c = event.case;
  return {
    id: c.id,
    ticketNumber: c.ticketNumber || "",
    status: c.status,
    categoryCode: c.categoryCode,
    categoryName: state.categories.get(c.categoryCode) || c.categoryCode || "",
    lat: c.lat,
    lon: c.lon,
    villageName: state.villages.get(c.villageCode) || "",
    districtName: "",
    slaDueAt: time(c.slaDueAt),
    overdue: c.overdue,
    skpdCodes: c.skpdCodes,
    createdAt: time(event.occurredAt),
    updatedAt: time(event.occurredAt),
  };
}

/** Keep the newest version of a case: a replayed or late answer never rolls one back. */
function upsert(c) {
  const known = state.cases.get(c.id);
  if (known && c.updatedAt !== null && known.updatedAt > c.updatedAt) return;
  if (OPEN.has(c.status)) {
    state.cases.set(c.id, { ...c, touchedAt: Date.now() });
  } else {
    state.cases.delete(c.id);
  }
}

function isOverdue(c, now = Date.now()) {
  return OPEN.has(c.status) && (c.overdue || (c.slaDueAt !== null && c.slaDueAt <= now));
}

// -- feed -------------------------------------------------------------------------------

function feedItem({ key, at, ticketNumber, categoryName, villageName, districtName, status,
  label, note, fresh }) {
  const where = [villageName, districtName && `Kec. ${districtName}`].filter(Boolean).join(" · ");
  return h("li", {
    class: `feed-item status-${status}${fresh ? " fresh" : ""}`,
    dataset: { key, at: String(at), ticket: ticketNumber },
  },
  h("time", { class: "when", datetime: new Date(at).toISOString() }, timeWIB(at)),
  h("div", { class: "what" },
    h("div", { class: "line1" },
      h("strong", { class: "ticket" }, ticketNumber),
      h("span", { class: "category" }, categoryName)),
    h("div", { class: "line2" },
      h("span", { class: "event" }, label),
      where && h("span", { class: "where" }, where),
      note && h("span", { class: "note" }, `“${note}”`))),
  h("span", { class: `badge status-${status}` }, STATUS_LABEL[status] || status));
}

/** Insert in time order (newest on top), once per key; keep the list short. */
function addFeed(entry) {
  if (state.feedKeys.has(entry.key)) return;
  state.feedKeys.add(entry.key);
  const list = $("feed");
  const node = feedItem(entry);
  let before = list.firstElementChild;
  while (before && Number(before.dataset.at) > entry.at) before = before.nextElementSibling;
  list.insertBefore(node, before);
  while (list.children.length > FEED_MAX) {
    const last = list.lastElementChild;
    state.feedKeys.delete(last.dataset.key);
    last.remove();
  }
}

function feedFromEvent(event, c) {
  const at = time(event.occurredAt);
  const status = (event.case && event.case.status) || c.status;
  return {
    key: event.type === "COMPLAINT_SUBMITTED" ? `submitted:${c.id}` : `event:${event.cursor}`,
    at,
    ticketNumber: c.ticketNumber,
    categoryName: c.categoryName,
    villageName: c.villageName,
    districtName: c.districtName,
    status,
    label: EVENT_LABEL[event.type] || event.type,
    note: event.type === "COMPLAINT_SUBMITTED" ? null : event.note,
    fresh: Date.now() - at < FRESH_MS,
  };
}

// -- live events ------------------------------------------------------------------------

function onEvent(data) {
  const event = data.commandCenterEvents;
  if (!event) return;
  const c = event.complaint ? fromComplaint(event.complaint) : fromSummary(event);
  upsert(c);
  addFeed(feedFromEvent(event, c));
  EventStream.remember(event.cursor);
  scheduleRender();
  scheduleWorkload();
}

// -- loading ----------------------------------------------------------------------------

async function loadReference() {
  const data = await session.query(REFERENCE);
  for (const category of data.complaintCategories) state.categories.set(category.code, category.name);
  const features = (areas) => areas.map((a) => JSON.parse(a.geojson));
  const layers = {
    city: features(data.city), districts: features(data.districts),
    villages: features(data.villages),
  };
  for (const v of layers.villages) state.villages.set(v.properties.code, v.properties.name);
  map.drawAreas(layers);
  const approximate = [...data.city, ...data.districts, ...data.villages].some((a) => a.approximate);
  $("map-note").textContent = approximate ? "batas wilayah perkiraan (data demo)" : "";
}

async function rememberLatestCursor() {
  const { latestEventCursor } = await session.query("{ latestEventCursor }");
  if (!storedCursor()) EventStream.remember(latestEventCursor);
}

/** All open cases, now. Also run every minute, a safety net beside the stream: it repairs
 * what a stream cannot say (a stored cursor from a database that was since reset, say). */
async function loadSnapshot(first) {
  const startedAt = Date.now();
  const seen = new Set();
  const loaded = [];
  let after = null;
  let complete = false;
  for (let page = 0; page < QUEUE_PAGES; page++) {
    const { caseQueue } = await session.query(QUEUE, { after });
    for (const edge of caseQueue.edges) {
      const c = fromComplaint(edge.node);
      seen.add(c.id);
      loaded.push(c);
      upsert(c);
    }
    if (!caseQueue.pageInfo.hasNextPage) {
      complete = true;
      break;
    }
    after = caseQueue.pageInfo.endCursor;
  }
  if (complete) {
    for (const [id, c] of state.cases) {
      if (!seen.has(id) && c.touchedAt < startedAt) state.cases.delete(id);
    }
  }
  if (first) {
    loaded.sort((a, b) => b.createdAt - a.createdAt);
    for (const c of loaded.slice(0, FEED_FROM_SNAPSHOT)) {
      addFeed({ ...c, key: `submitted:${c.id}`, at: c.createdAt, label: "Laporan masuk",
        note: null, fresh: false });
    }
  }
  render(); // now, not on the next frame: "ready" below means the wall shows these cases
}

/**
 * A reload that many triggers may ask for at once: runs `load` after `delay` ms, at most one
 * at a time; a request that arrives while one runs makes it run once more afterwards.
 */
function coalesced(name, defaultDelay, load) {
  let timer = null;
  let running = false;
  let again = false;
  const schedule = (delay = defaultDelay) => {
    if (timer) return;
    timer = setTimeout(async () => {
      timer = null;
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        await load();
      } catch (error) {
        if (!(error instanceof SessionEnded)) console.warn(`${name}:`, error);
      } finally {
        running = false;
        if (again) {
          again = false;
          schedule(0);
        }
      }
    }, delay);
  };
  return schedule;
}

const scheduleWorkload = coalesced("workload", 300, async () => {
  state.workload = (await session.query(WORKLOAD)).skpdWorkload;
  renderWorkload();
});

async function loadFarm() {
  const data = await session.query(FARM);
  state.farm = { questions: data.overdueCropQuestions, alerts: data.pestAlerts };
  renderFarm();
}

const scheduleFarm = coalesced("farming", 200, loadFarm);

/** Retry a start-up load until it works: the wall may boot before the network is up. */
async function persist(name, load) {
  for (let wait = 2000; ; wait = Math.min(wait * 2, 30_000)) {
    try {
      return await load();
    } catch (error) {
      if (error instanceof SessionEnded || !stream) return undefined;
      console.warn(`${name}:`, error);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

// -- rendering --------------------------------------------------------------------------

let renderPending = false;

function scheduleRender() {
  if (renderPending) return;
  renderPending = true;
  setTimeout(() => {
    renderPending = false;
    render();
  }, 16);
}

function render() {
  const now = Date.now();
  const cases = [...state.cases.values()];
  map.setCases(cases, (c) => isOverdue(c, now));
  const overdue = cases.filter((c) => isOverdue(c, now))
    .sort((a, b) => (a.slaDueAt ?? 0) - (b.slaDueAt ?? 0));
  const submitted = cases.filter((c) => c.status === "SUBMITTED").length;

  $("totals").replaceChildren(
    h("span", { class: "total" }, h("b", {}, cases.length), " terbuka"),
    h("span", { class: "total" }, h("b", {}, submitted), " belum diverifikasi"),
    h("span", { class: `total${overdue.length ? " alarm" : ""}` },
      h("b", {}, overdue.length), " lewat tenggat"),
  );
  $("overdue-count").textContent = String(overdue.length);
  $("overdue").replaceChildren(...(overdue.length
    ? overdue.map((c) => h("li", { class: "overdue-item", dataset: { ticket: c.ticketNumber } },
      h("div", { class: "line1" },
        h("strong", { class: "ticket" }, c.ticketNumber),
        h("span", { class: "category" }, c.categoryName)),
      h("div", { class: "line2" },
        h("span", { class: "where" }, c.villageName),
        h("span", { class: "skpd-codes" },
          c.skpdCodes.length ? c.skpdCodes.map((x) => x.toUpperCase()).join(", ")
            : "command center"),
        h("span", { class: `badge status-${c.status}` }, STATUS_LABEL[c.status])),
      h("span", { class: "late" },
        c.slaDueAt ? `+${lateBy(now - c.slaDueAt)}` : "lewat")))
    : [h("li", { class: "empty" }, "Tidak ada laporan yang lewat tenggat.")]));
}

function renderWorkload() {
  const rows = [...state.workload].sort((a, b) => b.openCases - a.openCases
    || b.overdueCases - a.overdueCases || a.skpd.code.localeCompare(b.skpd.code));
  const cell = (value, alarm) => h("td", {
    class: `num${value ? "" : " zero"}${alarm && value ? " alarm" : ""}`,
  }, value);
  $("skpd").replaceChildren(...rows.map((w) => h("tr", { dataset: { skpd: w.skpd.code } },
    h("th", { scope: "row" },
      h("span", { class: "code" }, w.skpd.code.toUpperCase()),
      h("span", { class: "name" }, w.skpd.name)),
    cell(w.openCases, false), cell(w.overdueCases, true), cell(w.awaitingAcceptance, false))));
}

function renderFarm() {
  const now = Date.now();
  const { questions, alerts } = state.farm;
  const problem = (code) => PROBLEM_LABEL[code] || code;
  const crop = (code) => code.replace(/_/g, " ");
  $("farm-count").textContent = String(questions.length + alerts.length);
  const items = [
    ...alerts.map((a) => h("li", {
      class: "overdue-item farm-item pest-alert", dataset: { alert: a.id },
    },
    h("div", { class: "line1" },
      h("strong", { class: "ticket" }, "Peringatan hama"),
      h("span", { class: "category" }, `${crop(a.commodityCode)} · ${problem(a.problemType)}`)),
    h("div", { class: "line2" },
      h("span", { class: "where" }, `${a.questionCount} pertanyaan berdekatan`),
      h("span", {}, timeWIB(time(a.createdAt)))),
    h("span", { class: "late" }, "!"))),
    ...questions.map((q) => h("li", {
      class: "overdue-item farm-item crop-question", dataset: { question: q.id },
    },
    h("div", { class: "line1" },
      h("strong", { class: "ticket" }, "Tanya tani"),
      h("span", { class: "category" }, `${crop(q.commodityCode)} · ${problem(q.problemType)}`)),
    h("div", { class: "line2" },
      h("span", { class: "where" }, (q.village && q.village.name) || ""),
      h("span", { class: "skpd-codes" }, q.officerCount ? `${q.officerCount} PPL` : "distan")),
    h("span", { class: "late" }, `+${lateBy(now - time(q.dueAt))}`))),
  ];
  $("farm").replaceChildren(...(items.length ? items
    : [h("li", { class: "empty" }, "Tidak ada pertanyaan tani lewat tenggat atau peringatan hama.")]));
}

function renderLegend() {
  $("legend").replaceChildren(
    ...["SUBMITTED", "VERIFIED", "DISPATCHED", "IN_PROGRESS"].map((status) => h("li", {},
      h("span", { class: `swatch status-${status}` }), STATUS_LABEL[status])),
    h("li", {}, h("span", { class: "swatch ring" }), "Lewat tenggat"),
  );
}

function tick() {
  const now = Date.now();
  $("clock").textContent = `${clockWIB(now)} WIB`;
  $("clock").title = dateWIB(now);
  $("clock").dataset.date = dateWIB(now);
}

function setConnection(kind) {
  const labels = { connecting: "Menyambung…", live: "Langsung", reconnecting: "Menyambung ulang…" };
  $("connection").dataset.state = kind;
  $("connection-label").textContent = labels[kind] || kind;
}

// -- screens ----------------------------------------------------------------------------

function showSignIn(message) {
  $("wall").hidden = true;
  $("signin").hidden = false;
  const error = $("signin-error");
  error.textContent = message || "";
  error.hidden = !message;
  $("phone").focus();
}

async function startWall() {
  $("signin").hidden = true;
  $("wall").hidden = false;
  delete $("wall").dataset.ready;
  map = map || new CityMap($("map"));
  renderLegend();
  tick();
  timers.push(setInterval(tick, 1000));
  timers.push(setInterval(scheduleRender, 10_000)); // deadlines pass without any event
  timers.push(setInterval(renderFarm, 10_000));
  stream = new EventStream({ session, query: EVENTS, onData: onEvent, onState: setConnection });
  // A wall without a cursor (a fresh sign-in) takes the newest one before it loads the open
  // cases, and subscribes from it: whatever changes once the snapshot has begun is replayed,
  // so nothing falls between the snapshot and the stream.
  if (!storedCursor()) await persist("cursor", rememberLatestCursor);
  if (!stream) return; // signed out meanwhile
  stream.start();
  farmStream = new EventStream({
    session, query: FARM_EVENTS, resume: false,
    onData: () => scheduleFarm(),
    onState: (kind) => { if (kind === "live") scheduleFarm(0); },
  });
  farmStream.start();
  await persist("areas", loadReference);
  await persist("cases", () => loadSnapshot(true));
  scheduleWorkload(0);
  await persist("farming", loadFarm);
  if (stream) $("wall").dataset.ready = "1";
  timers.push(setInterval(() => {
    loadSnapshot(false).catch(() => {});
    scheduleWorkload(0);
    scheduleFarm(0);
  }, RECONCILE_MS));
}

function stopWall() {
  if (stream) stream.stop();
  stream = null;
  if (farmStream) farmStream.stop();
  farmStream = null;
  state.farm = { questions: [], alerts: [] };
  $("farm").replaceChildren();
  while (timers.length) clearInterval(timers.pop());
  state.cases.clear();
  state.feedKeys.clear();
  state.workload = [];
  $("feed").replaceChildren();
  $("overdue").replaceChildren();
  $("skpd").replaceChildren();
  if (map) map.setCases([], () => false);
}

$("signin-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = $("signin-submit");
  button.disabled = true;
  $("signin-error").hidden = true;
  try {
    await session.signIn($("phone").value.trim(), $("password").value);
    $("password").value = "";
    forgetCursor(); // a new sign-in starts from now, with the open cases loaded fresh
    startWall();
  } catch (error) {
    showSignIn(error instanceof SignInError ? error.message : "Gagal masuk. Coba lagi.");
  } finally {
    button.disabled = false;
  }
});

let signingOut = false;

$("signout").addEventListener("click", async () => {
  signingOut = true;
  await session.signOut();
  signingOut = false;
});

session.onEnd(() => {
  stopWall();
  showSignIn(signingOut ? "" : "Sesi berakhir. Silakan masuk lagi.");
});

if (session.signedIn) startWall();
else showSignIn();
