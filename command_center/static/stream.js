// The live event stream: graphql-transport-ws over a WebSocket at /graphql
// (https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md).
//
// The cursor of the last event applied is kept in localStorage, and every (re)subscription
// passes it as `after`: the server replays what was missed and then streams live, so a wall
// that lost its network for an hour — or was rebooted — shows every event once, in order.

import { SessionEnded } from "./api.js";

const PROTOCOL = "graphql-transport-ws";
const CURSOR_KEY = "batt.commandCenter.cursor";
const PING_EVERY_MS = 15_000;
const PONG_WITHIN_MS = 10_000;
const ACK_WITHIN_MS = 10_000;
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 30_000;
const CLOSE_FORBIDDEN = 4403; // bad or expired token in connection_init

export function storedCursor() {
  return localStorage.getItem(CURSOR_KEY);
}

export function forgetCursor() {
  localStorage.removeItem(CURSOR_KEY);
}

export class EventStream {
  /**
   * @param {object} options
   * @param {import("./api.js").Session} options.session
   * @param {string} options.query subscription with an `$after: String` variable
   * @param {(data: object) => void} options.onData the `data` of each `next` message
   * @param {(state: "connecting"|"live"|"reconnecting") => void} options.onState
   * @param {boolean} [options.resume] subscribe from the stored cursor (default); false: a
   *   stream that always starts at the live edge and whose owner reloads on "live"
   */
  constructor({ session, query, onData, onState, resume = true }) {
    Object.assign(this, { session, query, onData, onState, resume });
    this.socket = null;
    this.stopped = true;
    this.attempt = 0;
    this.operation = 0;
    this.generation = 0; // a newer connect() supersedes one still fetching its token
    this.timers = new Set();
    this.onOnline = () => this.reconnectNow();
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    window.addEventListener("online", this.onOnline);
    this.onState("connecting");
    this.connect();
  }

  stop() {
    this.stopped = true;
    window.removeEventListener("online", this.onOnline);
    this.clearTimers();
    this.drop();
  }

  later(fn, ms) {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  cancel(timer) {
    clearTimeout(timer);
    this.timers.delete(timer);
  }

  clearTimers() {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  drop() {
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
      if (socket.readyState <= WebSocket.OPEN) socket.close(1000, "Normal Closure");
    }
  }

  reconnectNow() {
    if (this.stopped) return;
    this.attempt = 0;
    this.clearTimers();
    this.drop();
    this.connect();
  }

  /** Try again after a growing, jittered pause (many walls must not retry in lockstep). */
  retry() {
    if (this.stopped) return;
    this.clearTimers();
    this.drop();
    this.onState("reconnecting");
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.attempt);
    this.attempt += 1;
    this.later(() => this.connect(), ceiling / 2 + Math.random() * ceiling / 2);
  }

  async connect() {
    if (this.stopped) return;
    const generation = ++this.generation;
    let token;
    try {
      token = await this.session.accessToken();
    } catch (error) {
      if (generation !== this.generation) return undefined;
      if (error instanceof SessionEnded) return this.stop();
      return this.retry(); // cannot refresh now (offline): keep trying
    }
    if (this.stopped || generation !== this.generation) return;
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}/graphql`, PROTOCOL);
    this.socket = socket;
    const ackTimer = this.later(() => this.retry(), ACK_WITHIN_MS);
    let pongTimer = null;

    socket.onopen = () => {
      socket.send(JSON.stringify({
        type: "connection_init", payload: { Authorization: `Bearer ${token}`, language: "id" },
      }));
    };
    socket.onmessage = (message) => {
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch {
        return this.retry();
      }
      switch (frame.type) {
        case "connection_ack":
          this.cancel(ackTimer);
          this.attempt = 0;
          this.subscribe(socket);
          this.onState("live");
          this.keepAlive(socket, () => pongTimer, (t) => { pongTimer = t; });
          break;
        case "next":
          if (frame.payload && frame.payload.data) this.onData(frame.payload.data);
          if (frame.payload && frame.payload.errors) console.warn("stream:", frame.payload.errors);
          break;
        case "ping":
          socket.send(JSON.stringify({ type: "pong" }));
          break;
        case "pong":
          if (pongTimer) this.cancel(pongTimer);
          pongTimer = null;
          break;
        case "error":
          console.warn("subscription refused:", frame.payload);
          // A stored cursor the server does not know (ahead of its log: the database was
          // reset, or another deployment's): start again at the live edge; the periodic
          // snapshot repairs what happened in between.
          if (this.resume
            && (frame.payload || []).some((e) => e.extensions && e.extensions.field === "after")) {
            forgetCursor();
          }
          this.retry();
          break;
        case "complete": // the server ended the stream (e.g. shutting down): resume
          this.retry();
          break;
        default:
          break;
      }
    };
    socket.onclose = (event) => {
      if (socket !== this.socket) return;
      if (event.code === CLOSE_FORBIDDEN) {
        // The token expired between fetching it and using it: refresh, then go again.
        this.session.refresh().then(
          () => this.retry(),
          (error) => (error instanceof SessionEnded ? this.stop() : this.retry()),
        );
        return;
      }
      this.retry();
    };
    socket.onerror = () => {}; // onclose follows and decides
  }

  subscribe(socket) {
    this.operation += 1;
    socket.send(JSON.stringify({
      id: String(this.operation),
      type: "subscribe",
      payload: { query: this.query, variables: { after: this.resume ? storedCursor() : null } },
    }));
  }

  /** Ping now and then; a socket that stays silent is dead (Wi-Fi gone, NAT forgot us). */
  keepAlive(socket, getPong, setPong) {
    const tick = () => {
      if (socket !== this.socket || socket.readyState !== WebSocket.OPEN) return;
      socket.send(JSON.stringify({ type: "ping" }));
      if (!getPong()) setPong(this.later(() => this.retry(), PONG_WITHIN_MS));
      this.later(tick, PING_EVERY_MS);
    };
    this.later(tick, PING_EVERY_MS);
  }

  /** Call once an event has been applied, so a resubscription starts after it. */
  static remember(cursor) {
    localStorage.setItem(CURSOR_KEY, cursor);
  }
}
