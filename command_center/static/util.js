// DOM building without innerHTML (every value goes in as text or an attribute), and WIB time.

const SVG_NS = "http://www.w3.org/2000/svg";

function build(node, props, children) {
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.setAttribute("class", value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child)); // strings become text nodes
  }
  return node;
}

/** h("li", {class: "x"}, "text", h("b", {}, value)) */
export function h(tag, props, ...children) {
  return build(document.createElement(tag), props, children);
}

export function s(tag, props, ...children) {
  return build(document.createElementNS(SVG_NS, tag), props, children);
}

// Kota Batu is on WIB, UTC+7 all year (Indonesia has no daylight saving), so the wall does
// not depend on the browser's time zone or on its time zone database.
const WIB_OFFSET_MS = 7 * 3600 * 1000;
const DAYS = ["Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"];

const pad = (n) => String(n).padStart(2, "0");

function wib(ms) {
  return new Date(ms + WIB_OFFSET_MS);
}

export function clockWIB(ms) {
  const d = wib(ms);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

export function dateWIB(ms) {
  const d = wib(ms);
  return `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/** "14:05" today, "3 Nov 14:05" another day (in WIB). */
export function timeWIB(ms, now = Date.now()) {
  const d = wib(ms);
  const hm = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  const today = wib(now);
  const sameDay = d.getUTCFullYear() === today.getUTCFullYear()
    && d.getUTCMonth() === today.getUTCMonth() && d.getUTCDate() === today.getUTCDate();
  return sameDay ? hm : `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${hm}`;
}

/** "2 h 3 j" / "3 j 12 m" / "7 m": how long ago a deadline passed. */
export function lateBy(ms) {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days) return `${days} h ${hours} j`;
  if (hours) return `${hours} j ${minutes % 60} m`;
  return `${minutes} m`;
}
