// Load generator for Ruamkid's live town halls (protocol: docs/realtime.md).
//
// One process holds a share of the residents: it connects them (each with its own personal
// access token), joins them to one town hall, reports READY, waits for "GO <t0 ms>" on stdin,
// then its senders post at a steady rate (open loop: post i is due at t0 + i / rate) while
// every client records the latency of each message it receives (receive time minus the send
// time written in the message's body). After the drain period it prints one RESULT line.
//
//   node bench/townhall/loadgen.mjs '{"urls": ["http://127.0.0.1:5000"], "tokens": "t.json",
//        "first": 0, "count": 500, "townhall": "bench-x"}'
//   then on stdin, once or more:
//   GO {"t0": <epoch ms>, "run": "r1", "rate": 10, "senders": 10, "duration": 20, "drain": 5}
//   and QUIT.
//
// Driven by bench/townhall_run.py; only 127.0.0.1 is accepted as a target.

import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { performance } from "node:perf_hooks";
import { createRequire } from "node:module";

const require = createRequire(new URL("../../node_modules/", import.meta.url));
const { io } = require("socket.io-client");

const cfg = JSON.parse(process.argv[2]);
for (const url of cfg.urls) {
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(url)) throw new Error(`refusing target ${url}`);
}
const allTokens = JSON.parse(readFileSync(cfg.tokens, "utf8"));
const tokens = allTokens.slice(cfg.first, cfg.first + cfg.count);
const deflate = cfg.deflate !== false; // offer permessage-deflate, as browsers and this client do
const connectParallel = cfg.connectParallel || 50;
const now = () => performance.timeOrigin + performance.now(); // epoch ms, sub-ms resolution

// Latency histogram: 0.1 ms buckets up to 60 s.
const BUCKETS = 600001;
const hist = new Uint32Array(BUCKETS);
let received = 0;
let frames = 0; // Socket.IO messages received ("event" or a coalesced "events" list)
let duplicates = 0;
let gaps = 0;
let otherRun = 0;
let outOfOrder = 0;
let phase = { run: "none", rate: 0, duration: 0, drain: 0 };

const clients = [];
const connectMs = [];
const joinMs = [];
const connectErrors = {};
let disconnects = 0;
let negotiatedExtensions = null;

function countError(key) {
  connectErrors[key] = (connectErrors[key] || 0) + 1;
}

function connectOne(index) {
  return new Promise((resolve) => {
    const url = cfg.urls[(cfg.first + index) % cfg.urls.length];
    const started = now();
    const socket = io(`${url}/townhall`, {
      transports: ["websocket"],
      auth: { token: tokens[index] },
      forceNew: true,
      reconnection: false,
      timeout: cfg.connectTimeoutMs || 30000,
      perMessageDeflate: deflate ? { threshold: 1024 } : false,
    });
    const client = {
      socket, lastSeq: null, seen: new Set(), got: 0, joined: false, index,
      applied: null, held: new Map(),
    };
    let settled = false;
    const done = (ok) => {
      if (!settled) {
        settled = true;
        resolve(ok);
      }
    };
    socket.on("connect_error", (err) => {
      countError(`connect_error: ${err?.data?.error || err.message}`);
      done(false);
    });
    socket.on("disconnect", (reason) => {
      if (client.joined && !stopping) {
        disconnects += 1;
        countError(`disconnect: ${reason}`);
      }
    });
    // Events closer together than the server's window come as one "events" list.
    socket.on("events", (events) => {
      const t = now();
      frames += 1;
      for (const event of events) onEvent(event, t);
    });
    socket.on("event", (event) => {
      frames += 1;
      onEvent(event, now());
    });
    const onEvent = (event, t) => {
      // Count each event once per client, in whatever order it arrives: a client following
      // docs/realtime.md would resync on a gap and drop the late copy; here the late copy is
      // counted (not lost) and the disorder is reported (outOfOrder, gaps).
      if (client.seen.has(event.seq)) {
        duplicates += 1;
        return;
      }
      client.seen.add(event.seq);
      if (client.lastSeq !== null) {
        if (event.seq < client.lastSeq) outOfOrder += 1;
        else if (event.seq > client.lastSeq + 1) gaps += 1;
      }
      client.lastSeq = client.lastSeq === null ? event.seq : Math.max(client.lastSeq, event.seq);
      // As docs/realtime.md asks, an event is applied only in seq order: one that came early
      // waits for the ones before it, and its latency runs until it could be applied.
      if (client.applied === null) {
        record(event, t);
        return;
      }
      if (event.seq <= client.applied) return; // already in the join answer
      client.held.set(event.seq, event);
      while (client.held.has(client.applied + 1)) {
        const next = client.held.get(client.applied + 1);
        client.held.delete(next.seq);
        client.applied = next.seq;
        record(next, t);
      }
    };
    const record = (event, t) => {
      if (event.type !== "message") return;
      const parts = event.data.body.split(" ");
      if (parts[0] !== "bench" || parts[1] !== phase.run) {
        otherRun += 1;
        return;
      }
      const latency = t - Number(parts[4]);
      const bucket = Math.min(BUCKETS - 1, Math.max(0, Math.round(latency * 10)));
      hist[bucket] += 1;
      received += 1;
      client.got += 1;
    };
    socket.on("connect", () => {
      const connected = now();
      connectMs.push(connected - started);
      if (negotiatedExtensions === null) {
        const ws = socket.io.engine?.transport?.ws;
        negotiatedExtensions = ws ? ws.extensions || "" : "unknown";
      }
      socket
        .timeout(30000)
        .emit("join", { townhall: cfg.townhall }, (err, answer) => {
          if (err || !answer?.ok) {
            countError(`join: ${err ? err.message : answer?.error}`);
            done(false);
            return;
          }
          client.lastSeq = answer.snapshot ? answer.snapshot.last_seq : answer.last_seq;
          client.applied = client.lastSeq;
          client.joined = true;
          joinMs.push(now() - connected);
          done(true);
        });
    });
    clients.push(client);
  });
}

async function connectAll() {
  let next = 0;
  const worker = async () => {
    while (next < tokens.length) {
      const index = next++;
      await connectOne(index);
    }
  };
  const started = now();
  await Promise.all(Array.from({ length: Math.min(connectParallel, tokens.length) }, worker));
  return now() - started;
}

// --- sending -----------------------------------------------------------------------------

let sends = { due: 0, sent: 0, ok: 0, errors: {}, ackMs: [], lagMs: [] };
let stopping = false;

function send(sender, i, due) {
  const t = now();
  sends.sent += 1;
  sends.lagMs.push(t - due);
  const payload = {
    townhall: cfg.townhall,
    client_id: `${phase.run}-${cfg.first + sender.index}-${i}`,
    body: `bench ${phase.run} ${cfg.first + sender.index} ${i} ${t.toFixed(3)}`,
  };
  sender.socket.timeout(30000).emit("post", payload, (err, answer) => {
    if (err || !answer?.ok) {
      const key = err ? "timeout" : answer?.error;
      sends.errors[key] = (sends.errors[key] || 0) + 1;
      return;
    }
    sends.ok += 1;
    sends.ackMs.push(now() - t);
  });
}

function runSenders(t0) {
  const senders = clients.filter((c) => c.joined).slice(0, phase.senders);
  if (!senders.length || !phase.rate) return Promise.resolve();
  const rate = phase.rate;
  const total = Math.round(rate * phase.duration);
  return new Promise((resolve) => {
    let i = 0;
    const tick = () => {
      const t = now();
      while (i < total && t0 + (i * 1000) / rate <= t) {
        send(senders[i % senders.length], i, t0 + (i * 1000) / rate);
        i += 1;
      }
      sends.due = i;
      if (i >= total) {
        resolve();
        return;
      }
      const wait = t0 + (i * 1000) / rate - now();
      setTimeout(tick, Math.max(0, wait));
    };
    setTimeout(tick, Math.max(0, t0 - now()));
  });
}

// --- reporting -----------------------------------------------------------------------------

function sparse(histogram) {
  const out = [];
  for (let b = 0; b < histogram.length; b++) if (histogram[b]) out.push([b, histogram[b]]);
  return out;
}

function quantiles(values) {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const r = (x) => Math.round(x * 10) / 10;
  return { n: sorted.length, p50: r(at(0.5)), p95: r(at(0.95)), p99: r(at(0.99)), max: r(sorted[sorted.length - 1]) };
}

function emit(tag, obj) {
  process.stdout.write(`${tag} ${JSON.stringify(obj)}\n`);
}

async function main() {
  const cpu0 = process.cpuUsage();
  const connectWall = await connectAll();
  const joined = clients.filter((c) => c.joined).length;
  emit("READY", {
    clients: tokens.length, joined, connectWallMs: Math.round(connectWall),
    connectMs: connectMs.map((x) => Math.round(x * 10) / 10),
    joinMs: joinMs.map((x) => Math.round(x * 10) / 10),
    connectErrors, negotiatedExtensions, deflateOffered: deflate,
  });
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    const text = line.trim();
    if (text === "QUIT") break;
    if (!text.startsWith("GO ")) continue;
    // GO {"t0": epoch ms, "run": id, "rate": posts/s of this process, "senders": n,
    //     "duration": s, "drain": s}
    phase = JSON.parse(text.slice(3));
    const t0 = phase.t0;
    hist.fill(0);
    received = frames = duplicates = gaps = otherRun = disconnects = outOfOrder = 0;
    for (const c of clients) {
      c.got = 0;
      c.seen = new Set();
    }
    sends = { due: 0, sent: 0, ok: 0, errors: {}, ackMs: [], lagMs: [] };
    const cpuGo = process.cpuUsage();
    const loopLag = [];
    let expectedTick = now() + 100;
    const lagTimer = setInterval(() => {
      const t = now();
      loopLag.push(t - expectedTick);
      expectedTick = t + 100;
    }, 100);
    await runSenders(t0);
    const endAt = t0 + phase.duration * 1000 + phase.drain * 1000;
    await new Promise((r) => setTimeout(r, Math.max(0, endAt - now())));
    clearInterval(lagTimer);
    const cpu = process.cpuUsage(cpuGo);
    const wall = (now() - t0) / 1000;
    const perClient = clients.filter((c) => c.joined).map((c) => c.got);
    // Per server (clients are spread over cfg.urls by index): joined and received.
    const perServer = cfg.urls.map(() => ({ joined: 0, received: 0, min: null }));
    for (const c of clients) {
      if (!c.joined) continue;
      const s = perServer[(cfg.first + c.index) % cfg.urls.length];
      s.joined += 1;
      s.received += c.got;
      s.min = s.min === null ? c.got : Math.min(s.min, c.got);
    }
    emit("RESULT", {
      run: phase.run, joined: clients.filter((c) => c.joined && c.socket.connected).length,
      received, frames, duplicates, gaps, outOfOrder, otherRun, disconnects,
      perClientMin: perClient.length ? Math.min(...perClient) : 0,
      perClientMax: perClient.length ? Math.max(...perClient) : 0,
      perServer,
      hist: sparse(hist),
      sends: { due: sends.due, sent: sends.sent, ok: sends.ok, errors: sends.errors,
               ack: quantiles(sends.ackMs), lag: quantiles(sends.lagMs) },
      cpuS: (cpu.user + cpu.system) / 1e6, wallS: wall,
      eventLoopLag: quantiles(loopLag),
    });
  }
  stopping = true;
  for (const c of clients) c.socket.disconnect();
  setTimeout(() => process.exit(0), 200);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
