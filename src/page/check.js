// The self-check page's script: no network, no library; works from file://.
"use strict";
(function () {
  var data = JSON.parse(document.getElementById("sheet-data").textContent);
  // The page's words, from its template (templates/page.html.j2).
  var WORDS = JSON.parse(document.getElementById("page-words").textContent);

  // SHA-256 (FIPS 180-4), because crypto.subtle is missing on file:// in some browsers.
  var K = [];
  (function () {
    var n = 2, found = 0;
    while (found < 64) {
      var prime = true;
      for (var d = 2; d * d <= n; d++) if (n % d === 0) { prime = false; break; }
      if (prime) { K[found++] = (Math.pow(n, 1 / 3) % 1) * 4294967296 | 0; }
      n++;
    }
  })();
  function sha256(text) {
    var bytes = new TextEncoder().encode(text);
    var len = bytes.length, words = [], i;
    var total = ((len + 9 + 63) >> 6) << 4;
    for (i = 0; i < total; i++) words[i] = 0;
    for (i = 0; i < len; i++) words[i >> 2] |= bytes[i] << (24 - (i % 4) * 8);
    words[len >> 2] |= 0x80 << (24 - (len % 4) * 8);
    words[total - 1] = len * 8;
    var h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    var w = new Array(64);
    function rotr(x, n) { return (x >>> n) | (x << (32 - n)); }
    for (var off = 0; off < total; off += 16) {
      for (i = 0; i < 64; i++) {
        if (i < 16) w[i] = words[off + i] | 0;
        else {
          var s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
          var s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
          w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
        }
      }
      var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
      for (i = 0; i < 64; i++) {
        var t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
        var t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h = [h[0] + a, h[1] + b, h[2] + c, h[3] + d, h[4] + e, h[5] + f, h[6] + g, h[7] + hh].map(function (x) { return x | 0; });
    }
    return h.map(function (x) { return ("00000000" + (x >>> 0).toString(16)).slice(-8); }).join("");
  }
  function hash(id, canonical) { return sha256(data.salt + "|" + id + "|" + canonical); }

  // Exact decimals: {m: BigInt, s: scale}, value m / 10^s. What a student
  // types is read as page.rs's normalize_number reads it: no spaces, any
  // minus sign, scientific notation (4.8 \u00d7 10\u207b\u00b9\u2074\u2074, 4.8*10^-144, 4.8e-144), a
  // decimal comma.
  var RAISED = "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079";
  function raised(c) { return c === "\u207b" ? "-" : RAISED.indexOf(c) >= 0 ? String(RAISED.indexOf(c)) : undefined; }
  function normalize(text) {
    var t = "", up = false, chars = Array.from(String(text).replace(/\s+/g, ""));
    chars.forEach(function (c) {
      var r = raised(c);
      if (r !== undefined && !up) t += "^";
      up = r !== undefined;
      t += r !== undefined ? r : c === "\u2212" || c === "\u2013" ? "-" : c === "E" ? "e" : c;
    });
    var times = /^(.*?)(?:\u00d7|x|\*|\u00b7)10\^([-+]?\d+)$/.exec(t);
    if (times) t = times[1] + "e" + times[2];
    if (t.indexOf(".") < 0 && (t.match(/,/g) || []).length === 1) t = t.replace(",", ".");
    return t;
  }
  function parse(text) {
    var m = /^([-+]?)(\d*)(?:\.(\d*))?(?:e([-+]?\d+))?$/.exec(normalize(text));
    if (!m || (m[2] === "" && !m[3])) return null;
    var exponent = m[4] ? parseInt(m[4], 10) : 0;
    if (Math.abs(exponent) > 1000) return null;
    var frac = m[3] || "", digits = BigInt((m[2] || "0") + frac), s = frac.length - exponent;
    if (s < 0) { digits = digits * pow10(-s); s = 0; }
    return { m: m[1] === "-" ? -digits : digits, s: s };
  }
  function pow10(n) { return BigInt(10) ** BigInt(n); }
  function align(a, b) {
    var s = Math.max(a.s, b.s);
    return [a.m * pow10(s - a.s), b.m * pow10(s - b.s), s];
  }
  function add(a, b) { var x = align(a, b); return { m: x[0] + x[1], s: x[2] }; }
  function sub(a, b) { var x = align(a, b); return { m: x[0] - x[1], s: x[2] }; }
  function mul(a, b) { return { m: a.m * b.m, s: a.s + b.s }; }
  function canonical(x) {
    var neg = x.m < 0n, digits = (neg ? -x.m : x.m).toString(), s = x.s;
    while (s > 0 && digits.length > 1 && digits[digits.length - 1] === "0") { digits = digits.slice(0, -1); s--; }
    if (s > 0 && digits === "0") s = 0;
    if (s > 0) {
      while (digits.length <= s) digits = "0" + digits;
      digits = digits.slice(0, digits.length - s) + "." + digits.slice(digits.length - s);
    }
    return (neg && digits !== "0" ? "-" : "") + digits;
  }
  // Rounded to `digits` significant digits, half away from zero.
  function roundSig(x, digits) {
    var neg = x.m < 0n, mag = neg ? -x.m : x.m;
    var len = mag.toString().length;
    if (mag === 0n || len <= digits) return x;
    var drop = len - digits, q = pow10(drop), r = mag % q;
    mag = mag / q + (r * 2n >= q ? 1n : 0n);
    var s = x.s - drop;
    if (s < 0) { mag = mag * pow10(-s); s = 0; }
    return { m: neg ? -mag : mag, s: s };
  }

  var fields = Array.prototype.slice.call(document.querySelectorAll("[data-answer]"));
  function entry(id) {
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].dataset.answer === id && fields[i].value.trim() !== "") {
        var x = parse(fields[i].value);
        if (x) return x;
      }
    }
    if (id in data.givens) return parse(data.givens[id]);
    return null;
  }
  function evaluate(f) {
    if ("id" in f) return entry(f.id);
    if ("num" in f) return parse(f.num);
    var op = f.add ? add : f.sub ? sub : mul, args = f.add || f.sub || f.mul;
    var a = evaluate(args[0]), b = evaluate(args[1]);
    return a && b ? op(a, b) : null;
  }

  // Whether x is the value hashed as `exact`: exactly, or, for a value the
  // sheet prints rounded (hashed as `rounded`), as that rounding.
  function matches(id, x, exact, rounded) {
    if (hash(id, canonical(x)) === exact) return true;
    return Boolean(rounded) && hash(id, canonical(roundSig(x, data.legible))) === rounded;
  }
  // Whether the typed x is what the student's own earlier entries give:
  // exactly, or as the sheet would print it when that is rounded.
  function follows(x, own) {
    if (canonical(own) === canonical(x)) return true;
    var n = data.legible, digits = (own.m < 0n ? -own.m : own.m).toString().replace(/0+$/, "").length;
    return digits > n && canonical(roundSig(own, n)) === canonical(roundSig(x, n));
  }
  // The state of one blank, and a hint. A written answer has no state: it
  // is compared with the model answer by the student, not by the page.
  function judge(field) {
    var id = field.dataset.answer, check = data.checks[id], text = field.value.trim();
    if (text === "") return ["empty", ""];
    if (check.kind === "text") return [null, ""];
    if (check.kind === "choice") return [hash(id, text) === check.hash ? "correct" : "wrong", ""];
    var x = parse(text);
    if (!x) return ["wrong", WORDS.not_a_number];
    if (check.kind === "approx") x = roundSig(x, check.digits);
    if (matches(id, x, check.hash, check.rounded)) return ["correct", ""];
    if (check.formula) {
      var own = evaluate(check.formula);
      if (own && follows(x, own)) return ["follows", ""];
    }
    for (var i = 0; i < (check.slips || []).length; i++) {
      var slip = check.slips[i];
      if (matches(id, x, slip.hash, slip.rounded)) return ["slip", slip.hint];
    }
    return ["wrong", ""];
  }
  function mark(field, state, hint) {
    var out = document.getElementById(field.id + "-mark");
    if (state) field.dataset.state = state; else delete field.dataset.state;
    var shown = state || "written";
    out.className = "mark " + shown;
    out.textContent = WORDS[shown] + (hint ? ": " + hint : "");
  }
  function checkAll() {
    fields.forEach(function (field) { var r = judge(field); mark(field, r[0], r[1]); });
    document.querySelectorAll("button.reveal").forEach(function (b) {
      b.disabled = document.getElementById(b.dataset.for).value.trim() === "";
    });
    var counts = {};
    fields.forEach(function (f) { if (f.dataset.state) counts[f.dataset.state] = (counts[f.dataset.state] || 0) + 1; });
    document.getElementById("summary").textContent = ["correct", "follows", "slip", "wrong", "empty"].filter(function (s) {
      return counts[s];
    }).map(function (s) { return counts[s] + " " + WORDS[s].slice(2); }).join(", ");
  }
  function reveal(button) {
    var field = document.getElementById(button.dataset.for), id = field.dataset.answer;
    var hex = data.checks[id].model, bytes = new Uint8Array(hex.length / 2);
    for (var block = 0; block * 32 < bytes.length; block++) {
      var key = sha256(data.salt + "|model|" + id + "|" + block);
      for (var j = 0; j < 32 && block * 32 + j < bytes.length; j++) {
        var k = block * 32 + j;
        bytes[k] = parseInt(hex.substr(k * 2, 2), 16) ^ parseInt(key.substr(j * 2, 2), 16);
      }
    }
    var box = document.getElementById(button.dataset.for + "-model");
    box.textContent = WORDS.model + new TextDecoder().decode(bytes);
    box.hidden = false;
  }

  // Progress, kept in this browser per sheet.
  function store() {
    try { localStorage.setItem(data.storage, JSON.stringify(fields.map(function (f) { return f.value; }))); } catch (e) { /* storage off */ }
  }
  try {
    var saved = JSON.parse(localStorage.getItem(data.storage) || "null");
    if (saved && saved.length === fields.length) fields.forEach(function (f, i) { f.value = saved[i]; });
  } catch (e) { /* storage off */ }
  fields.forEach(function (f) { f.addEventListener("input", store); f.addEventListener("change", store); });

  document.getElementById("check").addEventListener("click", checkAll);
  document.getElementById("start-over").addEventListener("click", function () {
    if (!window.confirm(WORDS.start_over)) return;
    try { localStorage.removeItem(data.storage); } catch (e) { /* storage off */ }
    fields.forEach(function (f) {
      f.value = ""; delete f.dataset.state;
      var out = document.getElementById(f.id + "-mark"); out.textContent = ""; out.className = "mark";
    });
    document.querySelectorAll(".model").forEach(function (m) { m.hidden = true; m.textContent = ""; });
    document.querySelectorAll("button.reveal").forEach(function (b) { b.disabled = true; });
    document.getElementById("summary").textContent = "";
  });
  document.querySelectorAll("button.reveal").forEach(function (b) {
    b.addEventListener("click", function () { reveal(b); });
  });
  window.selfCheck = { sha256: sha256, canonical: function (t) { var x = parse(t); return x && canonical(x); } };
})();
