/* coursebuilder SCORM player (1.2 and 2004): pages, glossary, quiz, tracking.
   No framework, no network, no eval; data from <script id="cb-data">. */
(() => {
"use strict";
const doc = document;
const D = JSON.parse(doc.getElementById("cb-data").textContent);
const V12 = D.v === "1.2";
const LIMIT = V12 ? 4000 : 63000; // suspend_data: 4,096 characters in 1.2, 64,000 in 2004
const IDS = "abcdefghijklmnopqrstuvwxyz0123456789";
const SRC = "123456789abcdefghijklmnopqrstuvwxyz0";
const $ = (sel, root) => (root || doc).querySelector(sel);
const $$ = (sel, root) => Array.from((root || doc).querySelectorAll(sel));
const fmt = (key, vars) => D.msg[key].replace(/\{(\w+)\}/g, (m, k) => (vars && k in vars ? vars[k] : m));
const pad = n => String(n).padStart(2, "0");
const num = x => String(Math.round(x * 1e7) / 1e7);
const text = q => /^(short|num)/.test(q.t); // a cloze gap typed in, not chosen

const C = V12 ? "cmi.core." : "cmi.";
const K = {
  entry: C + "entry", exit: C + "exit", time: C + "session_time", score: C + "score.",
  status: V12 ? C + "lesson_status" : "cmi.completion_status", loc: V12 ? C + "lesson_location" : "cmi.location",
  mastery: V12 ? "cmi.student_data.mastery_score" : "cmi.scaled_passing_score",
  resp: V12 ? "student_response" : "learner_response", when: V12 ? "time" : "timestamp"
};
const F = "Initialize Terminate GetValue SetValue Commit GetLastError GetErrorString".split(" ")
  .map(n => (V12 ? "LMS" + n.replace("Terminate", "Finish") : n));

// The API: here, in a parent, or in the opener's
function scan(win) {
  const name = V12 ? "API" : "API_1484_11";
  for (let hops = 0; win && hops < 100; hops++) {
    try { if (win[name]) return win[name]; } catch (e) { /* other origin */ }
    if (win.parent === win) break;
    win = win.parent;
  }
  return null;
}
let api = scan(window);
if (!api) try { api = scan(window.opener) || scan(window.top.opener); } catch (e) { api = null; }
let live = false;
const started = Date.now();

function call(i, a, b) {
  const r = i === 3 ? api[F[i]](a, b) : api[F[i]](a);
  const code = String(api[F[5]]());
  if (code > 0) console.warn(`SCORM ${F[i]}(${a || ""}): error ${code} ${api[F[6]](code)}`);
  return String(r);
}
const get = k => (live ? call(2, k) : "");
const set = (k, v) => live && call(3, k, String(v));
const commit = () => live && call(4, "");

// Time spans: HHHH:MM:SS.SS in 1.2, ISO 8601 in 2004.
function span(ms) {
  const cs = Math.max(0, Math.round(ms / 10)), h = Math.floor(cs / 360000), m = Math.floor(cs / 6000) % 60;
  const s = (cs % 6000) / 100;
  if (V12) return `${pad(Math.min(h, 9999))}:${pad(m)}:${s < 10 ? "0" : ""}${s.toFixed(2)}`;
  return `PT${h ? h + "H" : ""}${m ? m + "M" : ""}${s.toFixed(2).replace(/\.?0+$/, "")}S`;
}
function stamp(d) {
  const t = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return V12 ? t : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${t}`;
}

const newSeed = () => 1 + Math.floor(Math.random() * 1e6);
const S = { page: "", read: D.lessons.map(() => 0), seed: newSeed() };
const Q = D.quiz ? { sub: 0, pct: 0, passed: false, items: [] } : null;
let pass = D.pass, restored = false, locked = false;

const esc = s => encodeURIComponent(s).replace(/%20/g, "+")
  .replace(/[!~*'()]/g, c => "%" + c.charCodeAt(0).toString(16).toUpperCase());
const unesc = s => { try { return decodeURIComponent(s.replace(/\+/g, " ")); } catch (e) { return ""; } };
const ints = list => list.map(n => (n == null ? "" : n.toString(36))).join(".");
const unints = s => s.split(".").map(x => (x === "" ? null : parseInt(x, 36)));

// Answers as text: base-36 numbers "."-joined, text URL-escaped, gaps "!"-joined
function encode(q, r) {
  if (r == null) return "";
  if (q.t === "tf") return r ? "1" : "0";
  if (q.t === "sa") return esc(r);
  if (q.t === "nu") return esc(r[0]) + (r[1] >= 0 ? "!" + r[1] : "");
  if (q.t === "cl") return r.map((g, i) => (g == null ? "" : text(q.g[i]) ? esc(g) : ints(g))).join("!");
  return ints(r); // mc, ma, or
}
function decode(q, s) {
  if (!s) return null;
  const parts = s.split("!");
  if (q.t === "tf") return s === "1";
  if (q.t === "sa") return unesc(s);
  if (q.t === "nu") return [unesc(parts[0]), parts.length > 1 ? +parts[1] : -1];
  if (q.t === "cl") return q.g.map((g, i) => (!parts[i] ? null : text(g) ? unesc(parts[i]) : unints(parts[i])));
  return unints(s);
}
// suspend_data: format|lessons read (hex bits)|seed|submitted|quiz key|answers "~"-joined
function pack() {
  let bits = "";
  for (let i = 0; i < S.read.length; i += 4) {
    bits += (S.read[i] | S.read[i + 1] << 1 | S.read[i + 2] << 2 | S.read[i + 3] << 3).toString(16);
  }
  const head = ["1", bits, S.seed.toString(36), Q && Q.sub ? 1 : 0, Q ? D.quiz.key : ""].join("|") + "|";
  const parts = Q ? Q.items.map(it => encode(it.q, it.r)) : [];
  // Too long: halve the longest answer
  let size = head.length + parts.join("~").length, n = 0;
  while (size > LIMIT) {
    parts.forEach((p, j) => { if (p.length > parts[n].length) n = j; });
    if (!parts[n]) break;
    const cut = parts[n].slice(0, parts[n].length >> 1).replace(/%[0-9A-F]?$/, "");
    size -= parts[n].length - cut.length;
    parts[n] = cut;
  }
  return head + parts.join("~");
}
function unpack(data) {
  const f = data.split("|");
  if (f[0] !== "1" || f.length < 6) return false;
  S.read = S.read.map((_, i) => (parseInt(f[1][i >> 2] || "0", 16) >> (i & 3)) & 1);
  S.seed = parseInt(f[2], 36) || S.seed;
  if (Q && f[4] === D.quiz.key) {
    Q.sub = +f[3];
    const answers = f.slice(5).join("|").split("~");
    Q.items.forEach((it, i) => { it.r = decode(it.q, answers[i] || ""); });
  }
  return true;
}

const allRead = () => S.read.every(Boolean);
// 1.2: submitted; 2004: also read
const finished = () => !!(Q ? Q.sub && (V12 || allRead()) : allRead());

function report() {
  if (!live || locked) return;
  const result = Q && Q.sub ? (Q.passed ? "passed" : "failed") : "";
  if (V12) return set(K.status, result || (!Q && allRead() ? "completed" : "incomplete"));
  set(K.status, finished() ? "completed" : "incomplete");
  if (Q) set("cmi.success_status", result || "unknown");
  const total = S.read.length + (Q ? 1 : 0);
  if (total) set("cmi.progress_measure", num((S.read.filter(Boolean).length + (Q && Q.sub ? 1 : 0)) / total));
}
function save() {
  if (!live) return;
  set(K.loc, S.page);
  set("cmi.suspend_data", pack());
  set(K.exit, finished() || locked ? (V12 ? "" : "normal") : "suspend");
  set(K.time, span(Date.now() - started));
}
let was = null; // finished now: end while the page lives, not in unload
const store = () => { report(); save(); commit(); const f = finished(); if (f && was === false) finish(); was = f; };
let timer = 0;
const later = () => { clearTimeout(timer); timer = setTimeout(() => { save(); commit(); }, 2000); };
// Terminate once; in unload (e) no Commit, LMSs may send just one request
function finish(e) {
  if (!live) return;
  clearTimeout(timer);
  report();
  save();
  if (!e) commit();
  call(1, "");
  live = false;
  if (Q && Q.sub && !Q.passed) $("#cb-retry").hidden = !($("#cb-again").hidden = false);
}

const pages = $$(".page"), back = $("[data-back]");
let current = null, returnTo = "";
const observer = "IntersectionObserver" in window ? new IntersectionObserver(seen => {
  seen.forEach(e => { if (e.isIntersecting) markRead(e.target.closest(".page").id); });
}) : null;

function markRead(id) {
  const i = D.lessons.indexOf(id);
  if (i < 0 || S.read[i]) return;
  S.read[i] = 1;
  progress();
  store();
}
function progress() {
  const n = S.read.filter(Boolean).length, bar = $("#cb-progress");
  D.lessons.forEach((id, i) => { const t = $(`[data-tick="${id}"]`); if (t) t.hidden = !S.read[i]; });
  if (bar) {
    bar.value = n;
    $("#cb-progress-text").textContent = fmt("progress", { n, total: S.read.length });
  }
}
function show(id, quiet) {
  const page = doc.getElementById(id);
  if (!page || !page.classList.contains("page")) return;
  if (page.id === "glossary" && current && current !== page) returnTo = current.id;
  pages.forEach(p => { p.hidden = p !== page; });
  current = page;
  S.page = id;
  $$("[data-nav]").forEach(a => {
    if (a.dataset.nav === id) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  });
  if (back) back.hidden = !returnTo || returnTo === id;
  const end = $(".end", page);
  if (observer) { observer.disconnect(); if (end) observer.observe(end); } else markRead(id);
  if (!quiet) {
    window.scrollTo(0, 0);
    $("h1", page).focus();
    save();
    commit();
  }
}
doc.addEventListener("click", e => {
  const a = e.target.closest && e.target.closest('a[href^="#"]');
  const target = a && doc.getElementById(decodeURIComponent(a.getAttribute("href").slice(1)));
  const page = target && target.closest(".page");
  if (!page) return;
  e.preventDefault();
  if (a.rel === "next" && current) markRead(current.id);
  const box = a.closest("details");
  if (box) box.open = false;
  show(page.id);
  if (target !== page) { target.scrollIntoView(); target.focus(); }
});
if (back) back.addEventListener("click", () => show(returnTo));

const search = $("#cb-search");
if (search) {
  const entries = $$(".entry");
  search.addEventListener("input", () => {
    const words = search.value.trim().toLowerCase();
    let shown = 0;
    entries.forEach(e => {
      e.hidden = !!words && !e.dataset.search.includes(words);
      shown += e.hidden ? 0 : 1;
    });
    $("#cb-count").textContent = shown ? fmt("glossary_count", { n: shown, total: entries.length }) : fmt("glossary_none");
  });
}

const clamp = f => Math.max(0, Math.min(1, f));
// PARAM_RAW_TRIMMED: PHP's trim(), nothing more
const phpTrim = s => String(s).replace(/^[ \t\n\r\0\x0B]+|[ \t\n\r\0\x0B]+$/g, "");
// qtype_shortanswer_question::compare_string_with_wildcard: NFC, unescaped `*` runs match
// anything, `\*` is a star, the whole trimmed response must match; inner spaces count.
function wild(pattern, answer, cs) {
  const re = String(pattern).normalize("NFC").split(/(?<!\\)\*+/)
    .map(bit => bit.replace(/\\\*/g, "*").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*");
  return new RegExp(`^${re}$`, cs ? "u" : "iu").test(phpTrim(String(answer).normalize("NFC")));
}
function parseNum(s) {
  const m = /^\s*([+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:e[+-]?\d+)?)\s*(.*?)\s*$/i.exec(s);
  return m ? [parseFloat(m[1].replace(",", ".")), m[2]] : null;
}
function numeric(q, r) { // [value in the base unit, unit right], or null
  let value = r[0].trim(), unit = "";
  const left = /^\D+/.exec(value);
  if (left && q.u.length && q.us === "input") { unit = left[0].trim(); value = value.slice(left[0].length); }
  const p = parseNum(value);
  if (!p) return null;
  unit = unit || p[1];
  if (q.us === "choice" || q.us === "select") return unit ? null : [p[0] / q.u[Math.max(0, r[1])][1], true];
  if (!unit) return [p[0], !q.ug || !q.u.length];
  const known = q.u.find(u => u[0] === unit);
  return known ? [p[0] / known[1], true] : q.ug && q.u.length ? [p[0], false] : null;
}
const near = (v, value, tol) => value == null || Math.abs(v - value) <= tol + 1e-9 * Math.max(1, Math.abs(value));

function ordering(gt, r) {
  const n = r.length;
  let got = 0, max = n, i, j;
  if (gt === "all_or_nothing") return r.every((v, k) => v === k) ? 1 : 0;
  if (gt === "absolute_position") got = r.filter((v, k) => v === k).length;
  else if (gt.startsWith("relative_next")) {
    for (i = 0; i < n - 1; i++) got += r[i + 1] === r[i] + 1 ? 1 : 0;
    max = n - 1;
    if (gt === "relative_next_include_last") { got += r[n - 1] === n - 1 ? 1 : 0; max = n; }
  } else if (gt === "relative_one_previous_and_next") {
    for (i = 0; i < n - 1; i++) got += r[i + 1] === r[i] + 1 ? 2 : 0;
    max = 2 * (n - 1);
  } else if (gt === "relative_all_previous_and_next") {
    for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) got += r[i] < r[j] ? 2 : 0;
    max = n * (n - 1);
  } else { // longest ordered or contiguous subset; one item scores nothing
    let best = 0, run = 0;
    const lis = [];
    for (i = 0; i < n; i++) {
      run = i && r[i] === r[i - 1] + 1 ? run + 1 : 1;
      best = Math.max(best, run);
      lis[i] = 1;
      for (j = 0; j < i; j++) if (r[j] < r[i]) lis[i] = Math.max(lis[i], lis[j] + 1);
    }
    got = gt === "longest_contiguous_subset" ? best : Math.max(...lis);
    if (got < 2) got = 0;
  }
  return max ? got / max : 0;
}

// Grade: fraction 0..1, feedback keys
function grade(q, r) {
  let f = 0;
  const keys = [];
  const first = (answers, test, prefix) => answers.findIndex((a, k) => test(a) && keys.push(prefix + k));
  if (q.t === "mc") {
    r.forEach(c => { f += q.g[c]; keys.push(String(c)); });
  } else if (q.t === "tf") {
    f = r === q.c ? 1 : 0;
    keys.push(r ? "1" : "0");
  } else if (q.t === "sa") {
    const k = first(q.a, a => wild(a[0], r, q.cs), "");
    if (k >= 0) f = q.a[k][1];
  } else if (q.t === "nu") {
    const v = numeric(q, r), k = v ? first(q.a, a => near(v[0], a[0], a[1]), "") : -1;
    if (k >= 0) f = v[1] ? q.a[k][2] : q.ug === 1 ? q.a[k][2] * (1 - q.up) : q.a[k][2] - q.up;
  } else if (q.t === "ma") {
    q.c.forEach((c, s) => { f += r[s] === c ? 1 / q.c.length : 0; });
  } else if (q.t === "cl") {
    let w = 0;
    q.g.forEach((g, gi) => {
      const a = r[gi];
      let gf = 0, k = -1;
      w += g.w;
      if (a == null) return;
      if (g.t.startsWith("short")) k = first(g.a, x => wild(x[0], a, g.t === "shortanswer_case"), gi + ".");
      else if (g.t === "numerical") {
        const x = parseNum(a);
        if (x && !x[1]) k = first(g.a, y => near(x[0], y[0] === "*" ? null : parseFloat(y[0]), y[2]), gi + ".");
      } else a.forEach(c => { gf += g.a[c][1]; keys.push(gi + "." + c); });
      if (k >= 0) gf = g.a[k][1];
      f += clamp(gf) * g.w;
    });
    f = w ? f / w : 0;
  } else if (q.t === "or") {
    f = ordering(q.gt, r);
  }
  return { f: clamp(f), keys };
}

function rng(seed) { // mulberry32: the same order on resume
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function shuffled(nodes, random) {
  const out = nodes.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
const place = nodes => nodes.forEach(n => n.parentNode.appendChild(n));

function arrange() {
  const random = rng(S.seed);
  const items = D.quiz.shuffle ? shuffled(Q.items, random) : Q.items;
  place(items.map(it => it.fs).concat($(".actions")));
  items.forEach((it, n) => {
    const q = it.q;
    $(".qn", it.fs).textContent = fmt("question_n", { n: n + 1 });
    if ((q.t === "mc" || q.t === "ma") && q.sh) place(shuffled(it.opts, random));
    if (q.t === "ma") $$("select", it.fs).forEach(sel => place(shuffled($$("option", sel).slice(1), random)));
    if (q.t === "cl") {
      q.g.forEach((g, gi) => {
        const el = $(`[data-g="${gi}"]`, it.fs);
        if (g.s) place(shuffled(el.tagName === "SELECT" ? $$("option", el).slice(1) : $$("label", el), random));
      });
    }
    if (q.t === "or") {
      const lis = shuffled(it.opts, random);
      if (lis.every((li, k) => li === it.opts[k])) lis.push(lis.shift());
      place(lis);
    }
  });
}

function readResponse(it) {
  const q = it.q, fs = it.fs;
  const checked = root => $$("input:checked", root).map(e => +e.value);
  const any = v => (v.some(x => x != null) ? v : null);
  if (q.t === "mc") { const v = checked(fs).sort((x, y) => x - y); return v.length ? v : null; }
  if (q.t === "tf") { const v = checked(fs); return v.length ? v[0] === 1 : null; }
  if (q.t === "sa") return phpTrim($(".ans", fs).value) || null;
  if (q.t === "nu") {
    const v = $(".ans", fs).value.trim(), unit = $(".unit", fs);
    return v ? [v, unit ? +unit.value : -1] : null;
  }
  if (q.t === "ma") return any(q.c.map((_, s) => { const v = $(`[data-stem="${s}"]`, fs).value; return v === "" ? null : +v; }));
  if (q.t === "cl") {
    return any(q.g.map((g, gi) => {
      const el = $(`[data-g="${gi}"]`, fs);
      if (el.tagName === "INPUT") return g.t === "numerical" ? el.value.trim() || null : phpTrim(el.value) || null;
      if (el.tagName === "SELECT") return el.value === "" ? null : [+el.value];
      const on = checked(el);
      return on.length ? on : null;
    }));
  }
  if (q.t === "or") return $$("li", fs).map(li => +li.dataset.v); // as in Moodle, the order shown is an answer
  return null;
}
function writeResponse(it, r) {
  const q = it.q, fs = it.fs;
  const pick = (root, values) => values.forEach(v => { const e = $(`input[value="${v}"]`, root); if (e) e.checked = true; });
  $$("input[type=radio],input[type=checkbox]", fs).forEach(e => { e.checked = false; });
  $$("input[type=text],textarea", fs).forEach(e => { e.value = e.defaultValue; });
  $$("select", fs).forEach(e => { e.value = e.classList.contains("unit") ? "0" : ""; });
  if (r == null) return;
  if (q.t === "mc") pick(fs, r);
  else if (q.t === "tf") pick(fs, [r ? 1 : 0]);
  else if (q.t === "sa") $(".ans", fs).value = r;
  else if (q.t === "nu") { $(".ans", fs).value = r[0]; if ($(".unit", fs)) $(".unit", fs).value = String(Math.max(0, r[1])); }
  else if (q.t === "ma") r.forEach((v, s) => { $(`[data-stem="${s}"]`, fs).value = v == null ? "" : String(v); });
  else if (q.t === "cl") {
    r.forEach((v, gi) => {
      const el = $(`[data-g="${gi}"]`, fs);
      if (v == null) return;
      if (el.tagName === "INPUT") el.value = v;
      else if (el.tagName === "SELECT") el.value = String(v[0]);
      else pick(el, v);
    });
  } else if (q.t === "or") {
    const list = $("ol", fs);
    r.forEach(v => list.appendChild($(`li[data-v="${v}"]`, list)));
  }
}

// Interaction values (rules: scorm/datamodel.py)
const rid = i => IDS[i] || "c" + i;
function clip(s, max = V12 ? 255 : 250) {
  s = String(s).replace(V12 ? /\s/g : /\s|\[[,.:]\]/g, " ").replace(/ +/g, " ").trim();
  if (!V12) s = s.replace(/^\{/, "(");
  return s.length > max ? s.slice(0, max - /[\ud800-\udbff]/.test(s[max - 1])) : s;
}
function response(q, r) {
  const sep = V12 ? "," : "[,]", long = q.it === "long-fill-in";
  if (q.t === "mc" || q.t === "or") return r.map(rid).join(sep);
  if (q.t === "tf") return V12 ? (r ? "t" : "f") : String(r);
  if (q.t === "sa") return clip(r);
  if (q.t === "nu") {
    const x = (q.it === "numeric" && numeric(q, r) || [])[0], s = Math.abs(x) < 1e10 ? x.toFixed(7) : "";
    return s && Math.abs(s - x) <= Math.abs(x) * 1e-12 ? s.replace(/\.?0+$/, "") : null;
  }
  if (q.t === "ma") {
    return r.map((t, s) => (t == null ? "" : (SRC[s] || "s" + s) + (V12 ? "." : "[.]") + rid(t))).filter(Boolean).join(sep);
  }
  const gaps = r.map((a, gi) => (a == null ? "" : clip(text(q.g[gi]) ? a : a.map(c => q.g[gi].a[c][0]).join("+"))));
  return V12 ? clip(gaps.join(sep)) : long ? clip(gaps.join(" | "), 4000) : gaps.join(sep); // cloze
}
function record(it, f, when) {
  const q = it.q, p = `cmi.interactions.${get("cmi.interactions._count") || "0"}.`;
  let value = response(q, it.r), type = q.it;
  if (value == null) {
    type = "fill-in";
    value = clip(it.r[0] + (it.r[1] >= 0 ? " " + q.u[it.r[1]][0] : ""));
  }
  // scorm-again splits a fill-in without [,] at commas
  if (!V12 && type === "fill-in" && !value.includes("[,]") && value.includes(",")) type = "long-fill-in";
  set(p + "id", q.id);
  set(p + "type", type);
  set(p + K.when, stamp(when));
  set(p + "weighting", num(q.w * (D.quiz.ws || 1)));
  set(p + K.resp, value);
  set(p + "result", f > 0.9999 ? "correct" : V12 ? "wrong" : "incorrect");
  set(p + "latency", span(it.t0 ? when - it.t0 : 0));
  if (!V12 && q.d) set(p + "description", q.d);
  if (q.cr && type === q.it) set(p + "correct_responses.0.pattern", q.cr);
}

const lock = (fs, on) => $$("input,select,textarea,button", fs).forEach(e => { e.disabled = on; });
function review(it) {
  const q = it.q, fs = it.fs, box = $(".qfb", fs);
  lock(fs, true);
  if (!box) return 0;
  const g = it.r == null ? { f: 0, keys: [] } : grade(q, it.r);
  const outcome = it.r == null ? "unanswered" : g.f > 0.9999 ? "correct" : g.f > 0 ? "partial" : "incorrect";
  $(".verdict", box).textContent = `${fmt(outcome)} · ${fmt("mark", { got: num(g.f * q.w), max: num(q.w) })}`;
  fs.classList.add(outcome === "unanswered" ? "incorrect" : outcome);
  $$(".fb", box).forEach(e => { e.hidden = !g.keys.includes(e.dataset.fb) && e.dataset.fb !== outcome; });
  const right = $(".right", box);
  if (right) right.hidden = outcome === "correct";
  box.hidden = false;
  return g.f;
}

function results(announce) {
  let got = 0, max = 0, answered = 0, scored = 0;
  Q.items.forEach(it => {
    const f = review(it);
    if (!it.q.it) return; // essays and descriptions are not scored
    scored++;
    max += it.q.w;
    got += f * it.q.w;
    if (it.r != null) answered++;
  });
  Q.pct = max ? Math.round(10000 * got / max) / 100 : 100;
  Q.passed = Q.pct >= pass - 1e-9;
  const score = $("#cb-score"), verdict = $("#cb-verdict"), box = $("#cb-result");
  score.textContent = fmt("score", { score: num(Q.pct) });
  verdict.textContent = fmt(Q.passed ? "passed" : "failed", { pass: num(pass) });
  $("#cb-answered").textContent = fmt("answered", { n: answered, total: scored });
  box.hidden = false;
  box.className = "result " + (Q.passed ? "correct" : "incorrect");
  $("#cb-retry").hidden = Q.passed;
  $("#cb-submit").hidden = true;
  if (announce) {
    $("#cb-live").textContent = score.textContent + " " + verdict.textContent;
    $("#cb-result-h").focus();
  }
}

function submit() {
  if (Q.sub) return;
  const when = new Date();
  Q.items.forEach(it => { it.r = readResponse(it); });
  Q.sub = 1;
  results(true);
  Q.items.forEach(it => { if (it.r != null && it.q.it) record(it, grade(it.q, it.r).f, when); });
  locked = false;
  set(K.score + "raw", num(Q.pct));
  set(K.score + "min", "0");
  set(K.score + "max", "100");
  if (!V12) set(K.score + "scaled", num(Q.pct / 100));
  store();
}

function retry() {
  Q.sub = 0;
  S.seed = newSeed();
  Q.items.forEach(it => {
    it.r = null;
    it.t0 = 0;
    writeResponse(it, null);
    it.fs.classList.remove("correct", "partial", "incorrect");
    lock(it.fs, false);
    const box = $(".qfb", it.fs);
    if (box) box.hidden = true;
  });
  arrange();
  $("#cb-result").hidden = true;
  $("#cb-submit").hidden = false;
  store();
  $("#h-quiz").focus();
}

function setupQuiz() {
  const form = $("#cb-quiz");
  Q.items = D.quiz.q.map((q, i) => {
    const fs = $(`[data-q="${i}"]`, form);
    const opts = $$(q.t === "mc" ? ".opt" : q.t === "ma" ? ".pair" : q.t === "or" ? "li" : "none", fs);
    return { q, fs, opts, r: null, t0: 0 };
  });
  Q.items.forEach(it => {
    const start = () => { if (!it.t0) it.t0 = Date.now(); };
    const touch = () => { start(); if (!Q.sub) { it.r = readResponse(it); later(); } };
    it.fs.addEventListener("focusin", start);
    it.fs.addEventListener("change", touch);
    it.fs.addEventListener("input", touch);
    it.fs.addEventListener("click", e => { // ordering: move an item, keep the focus
      const b = e.target.closest(".mv");
      if (!b) return;
      const li = b.closest("li"), list = li.parentNode, up = b.dataset.d < 0;
      const sib = up ? li.previousElementSibling : li.nextElementSibling;
      if (sib) list.insertBefore(li, up ? sib : sib.nextSibling);
      b.focus();
      const all = $$("li", list);
      $("[data-live]", it.fs).textContent = fmt("moved", { item: $(".item", li).textContent, n: all.indexOf(li) + 1, total: all.length });
      touch();
    });
  });
  form.addEventListener("submit", e => { e.preventDefault(); submit(); });
  $("#cb-retry").addEventListener("click", retry);
}

if (Q) setupQuiz();
if (api) live = call(0, "") === "true";
if (live) {
  const entry = get(K.entry), prior = get(K.status);
  if (V12 ? entry !== "ab-initio" : entry === "resume") restored = unpack(get("cmi.suspend_data"));
  if (restored) S.page = get(K.loc);
  // Finished, reopened, nothing saved: keep what the LMS has
  locked = !restored && (prior === "completed" || prior === "passed");
  if (Q && Q.items.some(it => it.q.w > 0)) {
    const m = parseFloat(get(K.mastery));
    if (!isNaN(m)) pass = V12 ? m : m * 100;
  }
} else {
  $("#cb-notice").textContent = fmt("no_lms");
}
if (Q) {
  arrange();
  Q.items.forEach(it => writeResponse(it, it.r));
  if (Q.sub) results(false);
}
progress();
show(S.page && doc.getElementById(S.page) ? S.page : pages[0].id, true);
store();
// Hidden: save now, it may not come back. Closed: finish.
doc.addEventListener("visibilitychange", () => { if (doc.hidden) { save(); commit(); } });
addEventListener("pagehide", finish);
addEventListener("beforeunload", finish);
window.cbPlayer = { grade, pack, span };
doc.documentElement.classList.add("cb-ready");
})();
