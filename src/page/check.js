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
  // types is read as checks.rs's canonical_decimal reads it: any minus sign
  // (- \u2012 \u2013 \u2212 \uff0d), spaces beside signs and symbols, digits
  // grouped in threes by spaces (1 000 000), a mixed number (4 1/2; any other
  // space between digits, 1 7, is not a number), scientific notation
  // (4.8 \u00d7 10\u207b\u00b9\u2074\u2074, 4.8*10^-144, 4.8e-144), a decimal comma, a number in
  // parentheses, a fraction (9/2; one with no exact decimal, 1/3, to 40
  // significant digits).
  var RAISED = "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079", MINUS = "-\u2012\u2013\u2212\uff0d";
  var FRACTION_DIGITS = 40;
  function raised(c) { return c === "\u207b" ? "-" : RAISED.indexOf(c) >= 0 ? String(RAISED.indexOf(c)) : undefined; }
  function isDigit(c) { return c !== undefined && c >= "0" && c <= "9"; }
  // Its characters: ASCII minus, a raised exponent as ^ and its digits, E
  // as e, and one space only where white space stands between two digits.
  function normalizeChars(text) {
    var t = "", up = false, chars = Array.from(String(text).trim().replace(/\s+/g, " "));
    chars.forEach(function (c) {
      if (c === " ") { t += c; up = false; return; }
      var r = raised(c);
      if (r !== undefined && !up) t += "^";
      up = r !== undefined;
      t += r !== undefined ? r : MINUS.indexOf(c) >= 0 ? "-" : c === "E" ? "e" : c;
    });
    var out = "";
    for (var i = 0; i < t.length; i++) if (t[i] !== " " || (isDigit(t[i - 1]) && isDigit(t[i + 1]))) out += t[i];
    return out;
  }
  // The spaces of digits grouped in threes removed (1 000 000, 0.000 25);
  // null for any other space between digits.
  function ungrouped(t) {
    var out = "", i = 0;
    while (i < t.length) {
      if (!isDigit(t[i])) { out += t[i++]; continue; }
      var fraction = i > 0 && (t[i - 1] === "." || t[i - 1] === ","), groups = [];
      for (;;) {
        var start = i;
        while (isDigit(t[i])) i++;
        groups.push(i - start);
        out += t.slice(start, i);
        if (t[i] !== " ") break;
        i++;
      }
      var n = groups.length;
      for (var k = 0; n > 1 && k < n; k++) {
        var short = fraction ? k === n - 1 : k === 0;
        if (short ? groups[k] < 1 || groups[k] > 3 : groups[k] !== 3) return null;
      }
    }
    return out;
  }
  // A mixed number, 4 1/2: a whole part and a proper fraction.
  function mixedNumber(t) {
    var m = /^([-+]?)(\d+) ([1-9]\d*)\/(\d+)$/.exec(t);
    if (!m) return null;
    var top = BigInt(m[3]), bottom = BigInt(m[4]);
    if (top >= bottom) return null;
    var n = BigInt(m[2]) * bottom + top;
    return divide(m[1] === "-" ? -n : n, bottom);
  }
  function pow10(n) { return BigInt(10) ** BigInt(n); }
  function readDecimal(text) {
    var t = text, times = /^(.*?)(?:\u00d7|x|\*|\u00b7)10\^([-+]?\d+)$/.exec(t);
    if (times) t = times[1] + "e" + times[2];
    if (t.indexOf(".") < 0 && (t.match(/,/g) || []).length === 1) t = t.replace(",", ".");
    var m = /^([-+]?)(\d*)(?:\.(\d*))?(?:e([-+]?\d+))?$/.exec(t);
    if (!m || (m[2] === "" && !m[3])) return null;
    var exponent = m[4] ? parseInt(m[4], 10) : 0;
    if (Math.abs(exponent) > 1000) return null;
    var frac = m[3] || "", digits = BigInt("0" + m[2] + frac), s = frac.length - exponent;
    if (s < 0) { digits = digits * pow10(-s); s = 0; }
    return { m: m[1] === "-" ? -digits : digits, s: s };
  }
  function abs(n) { return n < 0n ? -n : n; }
  // n / d as a decimal: exact when it terminates, else rounded to
  // FRACTION_DIGITS significant digits, half away from zero.
  function divide(n, d) {
    if (d === 0n) return null;
    var a = abs(n), b = abs(d);
    while (b !== 0n) { var r = a % b; a = b; b = r; }
    var rest = abs(d) / a, twos = 0, fives = 0;
    while (rest % 2n === 0n) { rest /= 2n; twos++; }
    while (rest % 5n === 0n) { rest /= 5n; fives++; }
    if (rest === 1n) { var k = Math.max(twos, fives); return { m: n * pow10(k) / d, s: k }; }
    var shift = Math.max(0, FRACTION_DIGITS + 1 + abs(d).toString().length - abs(n).toString().length);
    var q = n * pow10(shift) / d, drop = Math.max(0, abs(q).toString().length - FRACTION_DIGITS), unit = pow10(drop);
    var whole = abs(q) / unit, rounded = abs(q) % unit * 2n >= unit ? whole + 1n : whole;
    return { m: q < 0n ? -rounded : rounded, s: shift - drop };
  }
  function parse(text) {
    var t = normalizeChars(text), negative = false;
    if (/^-\(/.test(t)) { negative = true; t = t.slice(1); }
    if (t[0] === "(") { if (t[t.length - 1] !== ")") return null; t = t.slice(1, -1); }
    var x = mixedNumber(t);
    if (!x) {
      t = ungrouped(t);
      if (t === null) return null;
      var parts = t.split("/");
      if (parts.length > 2) return null;
      if (parts.length === 2) {
        var a = readDecimal(parts[0]), b = readDecimal(parts[1]);
        if (!a || !b) return null;
        x = divide(a.m * pow10(b.s), b.m * pow10(a.s));
      } else x = readDecimal(t);
    }
    return x && negative ? { m: -x.m, s: x.s } : x;
  }
  function align(a, b) {
    var s = Math.max(a.s, b.s);
    return [a.m * pow10(s - a.s), b.m * pow10(s - b.s), s];
  }
  function canonical(x) {
    var neg = x.m < 0n, digits = abs(x.m).toString(), s = x.s;
    while (s > 0 && digits.length > 1 && digits[digits.length - 1] === "0") { digits = digits.slice(0, -1); s--; }
    if (digits === "0") return "0";
    if (s > 0) {
      while (digits.length <= s) digits = "0" + digits;
      digits = digits.slice(0, digits.length - s) + "." + digits.slice(digits.length - s);
    }
    return (neg ? "-" : "") + digits;
  }
  // Rounded to `digits` significant digits, half away from zero.
  function roundSig(x, digits) {
    var neg = x.m < 0n, mag = abs(x.m);
    var len = mag.toString().length;
    if (mag === 0n || len <= digits) return x;
    var drop = len - digits, q = pow10(drop), r = mag % q;
    mag = mag / q + (r * 2n >= q ? 1n : 0n);
    var s = x.s - drop;
    if (s < 0) { mag = mag * pow10(-s); s = 0; }
    return { m: neg ? -mag : mag, s: s };
  }
  function significant(x) { return abs(x.m).toString().replace(/0+$/, "").length; }

  // The arithmetic a formula is evaluated in: exact decimals for the linear
  // sheet (a sigmoid or tanh has no exact value), intervals of doubles for
  // the extension (tolerance.rs's, on the student's own numbers).
  var EXACT = {
    read: function (x) { return x; },
    add: function (a, b) { var x = align(a, b); return { m: x[0] + x[1], s: x[2] }; },
    sub: function (a, b) { var x = align(a, b); return { m: x[0] - x[1], s: x[2] }; },
    mul: function (a, b) { return { m: a.m * b.m, s: a.s + b.s }; },
    sigmoid: function () { return null; },
    tanh: function () { return null; },
    relu: function (a) { return a.m > 0n ? a : { m: 0n, s: 0 }; },
    step: function (a) { return { m: a.m > 0n ? 1n : 0n, s: 0 }; }
  };
  function monotone(f) { return function (a) { return [f(a[0]), f(a[1])]; }; }
  // An interval [lo, hi] holding every value the student may have worked
  // with: an extension's answer they typed is any value it can be a rounding
  // of (to the digits they typed, or the sheet's when they typed fewer: −15
  // for −15.00); every other number is exact.
  var INTERVAL = {
    read: function (x, id) {
      var v = Number(canonical(x)), check = id && data.checks[id];
      if (!check || check.kind !== "approx") return [v, v];
      var h = halfUnit(Math.abs(v), Math.max(abs(x.m).toString().length, check.digits));
      return [v - h, v + h];
    },
    add: function (a, b) { return [a[0] + b[0], a[1] + b[1]]; },
    sub: function (a, b) { return [a[0] - b[1], a[1] - b[0]]; },
    mul: function (a, b) {
      var p = [a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1]];
      return [Math.min.apply(null, p), Math.max.apply(null, p)];
    },
    sigmoid: monotone(function (z) { return 1 / (1 + Math.exp(-z)); }),
    tanh: monotone(Math.tanh),
    relu: monotone(function (z) { return Math.max(0, z); }),
    step: monotone(function (z) { return z > 0 ? 1 : 0; })
  };
  // The roundings of x to `digits` significant digits or more, and x: a
  // half rounded either way.
  function roundings(x, digits) {
    var out = [x];
    for (var k = digits; k <= 17 && isFinite(x) && x !== 0; k++) {
      var r = Number(x.toPrecision(k)), unit = 2 * halfUnit(Math.abs(x), k);
      out.push(r);
      if (Math.abs(Math.abs(x - r) - unit / 2) <= unit * 1e-9) out.push(r - Math.sign(r - x) * unit);
    }
    return out;
  }
  // Whether the typed v is a value a student can write for a result in the
  // interval r: the result itself, or rounded to the sheet's digits or more.
  function written(v, r, digits) {
    if (!r || !isFinite(r[0]) || !isFinite(r[1])) return false;
    var lo = Math.min.apply(null, roundings(r[0], digits)), hi = Math.max.apply(null, roundings(r[1], digits));
    var slack = Math.max(Math.abs(lo), Math.abs(hi)) * 1e-12;
    return v >= lo - slack && v <= hi + slack;
  }

  var fields = Array.prototype.slice.call(document.querySelectorAll("[data-answer]"));
  // The length of each number field's key answer, its least width.
  var sizes = fields.map(function (f) { return Number(f.style.getPropertyValue("--chars")) || 0; });
  // While a verdict is worked out: the answer ids it reads (so that editing
  // one clears it), and the fields of the judged field's own line, whose
  // copies (`y = 2(__) + __` copies h) come first.
  var reads = null, line = null;
  // The other fields of `field`'s line: its equation, or its table row.
  function lineOf(field) {
    var box = field.closest("math, tr");
    return box ? Array.prototype.filter.call(box.querySelectorAll("[data-answer]"), function (f) { return f !== field; }) : [];
  }
  function typed(list, id) {
    for (var i = 0; i < list.length; i++) {
      if (list[i].dataset.answer === id && list[i].value.trim() !== "") {
        var x = parse(list[i].value);
        if (x) return x;
      }
    }
    return null;
  }
  // What the student typed for `id` (on the line, then its first field
  // filled in with a number), or the given number.
  function entry(id) {
    if (reads) reads[id] = true;
    var x = (line && typed(line, id)) || typed(fields, id);
    if (x) return x;
    if (id in data.givens) return parse(data.givens[id]);
    return null;
  }
  function evaluate(f, ops) {
    if ("id" in f) { var e = entry(f.id); return e && ops.read(e, f.id); }
    if ("num" in f) return ops.read(parse(f.num), null);
    var name = Object.keys(f)[0], args = f[name];
    if (!Array.isArray(args)) { var a = evaluate(args, ops); return a === null ? null : ops[name](a); }
    var x = evaluate(args[0], ops), y = evaluate(args[1], ops);
    return x === null || y === null ? null : ops[name](x, y);
  }
  // The values of formula `f` on the student's own entries for `field`:
  // from each id's first entry on the page, and from the copies on the
  // field's own line where it has them.
  function own(field, f, ops) {
    line = null;
    var out = [evaluate(f, ops)], here = lineOf(field);
    if (here.length) { line = here; out.push(evaluate(f, ops)); line = null; }
    return out.filter(function (v) { return v !== null; });
  }
  // The options of a word choice that the student's own numbers give
  // (formulas.rs's ChoiceRule): by the sign of a difference, or the
  // weights whose gradient is largest in size (a tie of several).
  function chosen(field, rule) {
    if (rule.sign) {
      var out = [];
      rule.sign.of.forEach(function (f) {
        own(field, f, EXACT).forEach(function (v) {
          var option = v.m < 0n ? rule.sign.negative : v.m > 0n ? rule.sign.positive : rule.sign.zero;
          if (option) out.push(option);
        });
      });
      return out;
    }
    var sizes = rule.largest.map(function (pair) { var v = own(field, pair[1], EXACT)[0]; return v && { m: abs(v.m), s: v.s }; });
    if (sizes.some(function (v) { return !v; })) return [];
    var largest = sizes.reduce(function (a, b) { var x = align(a, b); return x[0] >= x[1] ? a : b; });
    return [rule.largest.filter(function (pair, k) { var x = align(sizes[k], largest); return x[0] === x[1]; })
      .map(function (pair) { return pair[0]; }).join("+")];
  }

  // Whether x is the value hashed as `exact`: exactly, or, for a value the
  // sheet prints rounded (hashed as `rounded`), as that rounding.
  function matches(id, x, exact, rounded) {
    if (hash(id, canonical(x)) === exact) return true;
    return Boolean(rounded) && hash(id, canonical(roundSig(x, data.legible))) === rounded;
  }
  // Half a unit in the `digits`-th significant digit of the exact x.
  function halfUnitOf(x, digits) {
    if (x.m === 0n) return { m: 0n, s: 0 };
    var s = x.s + digits - abs(x.m).toString().length + 1;
    return s < 0 ? { m: 5n * pow10(-s), s: 0 } : { m: 5n, s: s };
  }
  // Whether x lies within `tolerance` of `value` (all exact), ends included.
  function within(x, value, tolerance) {
    var d = EXACT.sub(x, value), a = align({ m: abs(d.m), s: d.s }, tolerance);
    return a[0] <= a[1];
  }
  // Whether x is within the hidden target `hex` (a value and its tolerance,
  // targets.rs), under the keystream of `key`.
  function near(key, hex, x) {
    if (!hex) return false;
    var parts = unmask(key, hex).split(" ").map(parse);
    return Boolean(parts[0] && parts[1]) && within(x, parts[0], parts[1]);
  }
  // Whether the typed x is the exact value `own` (what the student's own
  // entries give): exactly, as the sheet would print it when that is
  // rounded, or, on a blank worded as approximate, within half a unit in
  // its `data.approximately`-th significant digit (targets.rs).
  function same(x, own, approximately) {
    if (canonical(own) === canonical(x)) return true;
    var n = data.legible;
    if (significant(own) > n && canonical(roundSig(own, n)) === canonical(roundSig(x, n))) return true;
    return approximately && within(x, own, halfUnitOf(own, data.approximately));
  }
  // Half a unit in the `digits`-th significant digit of a number of that
  // magnitude (tolerance.rs's half_unit).
  function halfUnit(magnitude, digits) {
    if (!(magnitude > 0) || !isFinite(magnitude)) return 0;
    var e = Math.floor(Math.log10(magnitude));
    if (Math.pow(10, e) > magnitude) e--; else if (Math.pow(10, e + 1) <= magnitude) e++;
    return 0.5 * Math.pow(10, e - digits + 1);
  }
  function unmask(id, hex) {
    var bytes = new Uint8Array(hex.length / 2);
    for (var block = 0; block * 32 < bytes.length; block++) {
      var key = sha256(data.salt + "|model|" + id + "|" + block);
      for (var j = 0; j < 32 && block * 32 + j < bytes.length; j++) {
        var k = block * 32 + j;
        bytes[k] = parseInt(hex.substr(k * 2, 2), 16) ^ parseInt(key.substr(j * 2, 2), 16);
      }
    }
    return new TextDecoder().decode(bytes);
  }

  // The state of one field, and a hint. A written answer has no state: it
  // is compared with the model answer by the student, not by the page.
  function judge(field) {
    var id = field.dataset.answer, check = data.checks[id], text = field.value.trim();
    var approximately = field.dataset.approximately === "true";
    if (text === "") return ["empty", ""];
    if (check.kind === "text") return [null, ""];
    if (check.kind === "choice") {
      if (hash(id, text) === check.hash) return ["correct", ""];
      return [check.rule && chosen(field, check.rule).indexOf(text) >= 0 ? "follows" : "wrong", ""];
    }
    var x = parse(text), i;
    if (!x) return ["wrong", WORDS.not_a_number];
    var formulas = check.formulas || [], ownSlips = check.own_slips || [];
    var gives = function (f, ops, test) { return own(field, f, ops).some(test); };
    if (check.kind === "approx") {
      // The extension: within the key's tolerance (targets.rs), or what the
      // student's own entries give, each any value it can be a rounding of,
      // rounded again to the sheet's digits or more (tolerance.rs's rule).
      var v = Number(canonical(x)), close = function (r) { return written(v, r, check.digits); };
      if (near(id + "|near", check.near, x)) return ["correct", ""];
      for (i = 0; i < formulas.length; i++) if (gives(formulas[i], INTERVAL, close)) return ["follows", ""];
      for (i = 0; i < ownSlips.length; i++) if (gives(ownSlips[i].formula, INTERVAL, close)) return ["slip", ownSlips[i].hint];
      return ["wrong", ""];
    }
    var exact = function (value) { return same(x, value, approximately); };
    if (matches(id, x, check.hash, check.rounded) || (approximately && near(id + "|near", check.near, x))) return ["correct", ""];
    for (i = 0; i < formulas.length; i++) if (gives(formulas[i], EXACT, exact)) return ["follows", ""];
    // A copy of the student's own earlier entry of the same blank (y's
    // result written again into E's equation) follows from it.
    var earlier = fields.slice(0, fields.indexOf(field)).filter(function (f) { return f.dataset.answer === id; });
    if (reads && earlier.length) reads[id] = true;
    for (i = 0; i < earlier.length; i++) {
      var copied = earlier[i].value.trim() !== "" && parse(earlier[i].value);
      if (copied && exact(copied)) return ["follows", ""];
    }
    var slips = check.slips || [];
    for (i = 0; i < slips.length; i++) {
      if (matches(id, x, slips[i].hash, slips[i].rounded) || (approximately && near(id + "|slip" + i, slips[i].near, x))) {
        return ["slip", slips[i].hint];
      }
    }
    for (i = 0; i < ownSlips.length; i++) if (gives(ownSlips[i].formula, EXACT, exact)) return ["slip", ownSlips[i].hint];
    return ["wrong", ""];
  }
  function markOf(field) { return document.getElementById(field.id + "-mark"); }
  function mark(field, state, hint) {
    var out = markOf(field);
    if (state) field.dataset.state = state; else delete field.dataset.state;
    if (state === "wrong" || state === "slip") field.setAttribute("aria-invalid", "true");
    else field.removeAttribute("aria-invalid");
    var shown = state || "written", words = hint ? WORDS.hinted[shown].replace("{hint}", hint) : WORDS.marks[shown];
    out.className = "mark " + shown;
    // A mark may have words for a screen reader only (the rest of a
    // sentence too long to show under a narrow field).
    out.textContent = typeof words === "string" ? words : words[0];
    if (typeof words !== "string") {
      var more = document.createElement("span");
      more.className = "sr";
      more.textContent = words[1];
      out.appendChild(more);
    }
  }
  // An edited field has no mark until the next check: an old mark would
  // tell a student their new answer is right.
  function unmark(field) {
    field.reads = null;
    delete field.dataset.state;
    field.removeAttribute("aria-invalid");
    var out = markOf(field);
    out.textContent = ""; out.className = "mark";
  }
  var plural = window.Intl && Intl.PluralRules ? new Intl.PluralRules(document.documentElement.lang || "en") : null;
  // "6 common slips": the count worded with its plural form from the template.
  function counted(state, n) {
    var forms = WORDS.counts[state], form = plural ? plural.select(n) : n === 1 ? "one" : "other";
    return (forms[form] || forms.other).replace("{n}", n);
  }
  var checked = false;
  function checkAll() {
    checked = true;
    fields.forEach(function (field) {
      reads = {};
      var r = judge(field);
      field.reads = Object.keys(reads);
      reads = null;
      mark(field, r[0], r[1]);
    });
    // A model answer may be asked for once its question has an answer; a
    // note says why it may not (aria-describedby), and only while so.
    document.querySelectorAll("button.reveal").forEach(function (b) {
      enable(b, document.getElementById(b.dataset.for).value.trim() !== "");
    });
    var counts = {};
    fields.forEach(function (f) { if (f.dataset.state) counts[f.dataset.state] = (counts[f.dataset.state] || 0) + 1; });
    var summary = document.getElementById("summary");
    summary.textContent = "";
    ["correct", "follows", "slip", "wrong", "empty"].filter(function (s) { return counts[s]; }).forEach(function (s, i) {
      // In full for everyone; on a narrow screen, its symbol and number.
      var item = document.createElement("span"), long = document.createElement("span"), short = document.createElement("span");
      item.className = "count " + s;
      long.className = "long";
      long.textContent = (i ? WORDS.separator : "") + counted(s, counts[s]);
      short.className = "short";
      short.setAttribute("aria-hidden", "true");
      short.textContent = WORDS.symbols[s] + "\u00a0" + counts[s];
      item.appendChild(long); item.appendChild(short);
      summary.appendChild(item);
    });
  }
  function labelOf(field) {
    var label = document.querySelector('label[for="' + field.id + '"]');
    return label ? label.textContent : field.dataset.answer;
  }
  function enable(button, on) {
    button.disabled = !on;
    if (on) button.removeAttribute("aria-describedby");
    else button.setAttribute("aria-describedby", button.dataset.for + "-why");
  }
  // Shows or hides a model answer (the button's aria-expanded); its box is
  // in a live region, so a screen reader reads it when it appears.
  function show(button, text, locked) {
    var box = document.getElementById(button.dataset.for + "-model"), open = text !== null;
    box.textContent = open ? text : "";
    box.className = locked ? "model locked" : "model";
    box.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    button.querySelector(".show").hidden = open;
    button.querySelector(".hide").hidden = !open;
  }
  // A model answer that quotes numbers is shown only once the blanks those
  // numbers answer are checked correct: a "follows" means the key's number
  // is still unknown to the student. Until then the box says which blanks
  // to get right first. Pressed again with nothing new to show, it hides.
  function reveal(button) {
    var field = document.getElementById(button.dataset.for), id = field.dataset.answer, check = data.checks[id];
    var box = document.getElementById(button.dataset.for + "-model");
    var missing = (check.needs || []).filter(function (need) {
      return !fields.some(function (f) { return f.dataset.answer === need && f.dataset.state === "correct"; });
    }).map(function (need) {
      return labelOf(fields.filter(function (f) { return f.dataset.answer === need; })[0]);
    });
    var text = missing.length ? WORDS.model_locked.replace("{blanks}", missing.join(WORDS.separator))
      : WORDS.model + unmask(id, check.model);
    if (button.getAttribute("aria-expanded") === "true" && box.textContent === text) show(button, null, false);
    else show(button, text, missing.length > 0);
  }

  // Progress, kept in this browser per sheet. When it cannot be saved
  // (storage off or full), the page says so once, where the buttons are.
  var warned = false;
  function store() {
    try {
      localStorage.setItem(data.storage, JSON.stringify(fields.map(function (f) { return f.value; })));
    } catch (e) {
      if (warned) return;
      warned = true;
      var note = document.getElementById("storage-note");
      note.textContent = WORDS.not_saved;
      note.hidden = false;
    }
  }
  try {
    var saved = JSON.parse(localStorage.getItem(data.storage) || "null");
    if (saved && saved.length === fields.length) fields.forEach(function (f, i) { f.value = saved[i]; });
  } catch (e) { /* storage off: store() says so at the first answer */ }
  // An edited field loses its mark, and so does every field whose verdict
  // used it, and theirs in turn: a "follows" from an old h would mislead.
  // The summary then says it is out of date until the next check.
  function edited(field) {
    store();
    var cleared = {}, more = true;
    cleared[field.dataset.answer] = true;
    unmark(field);
    while (more) {
      more = false;
      fields.forEach(function (f) {
        if (f.reads && f.reads.some(function (id) { return cleared[id]; })) {
          unmark(f);
          cleared[f.dataset.answer] = more = true;
        }
      });
    }
    // A model answer shown on numbers that have changed is hidden again.
    document.querySelectorAll("button.reveal").forEach(function (b) {
      var needs = data.checks[document.getElementById(b.dataset.for).dataset.answer].needs || [];
      if (needs.some(function (id) { return cleared[id]; })) show(b, null, false);
    });
    if (!checked) return;
    var summary = document.getElementById("summary"), note = document.createElement("span");
    summary.textContent = "";
    note.className = "stale";
    note.textContent = WORDS.stale;
    summary.appendChild(note);
  }
  // A number field grows with what is typed (never narrower than the
  // key's answer): nothing typed is hidden.
  function fit(field) {
    if (field.tagName !== "INPUT") return;
    field.style.setProperty("--chars", String(Math.max(sizes[fields.indexOf(field)], Array.from(field.value).length)));
  }
  fields.forEach(fit);
  fields.forEach(function (f) {
    f.addEventListener("input", function () { fit(f); });
    f.addEventListener("input", function () { edited(f); });
    f.addEventListener("change", function () { edited(f); });
  });

  // A focused field is never hidden: the style keeps it clear of the
  // sticky check bar and of a table's sticky first column (scroll-padding,
  // from their sizes measured here); should a browser's focus scrolling not
  // heed it, the field is scrolled clear once focused.
  var bar = document.querySelector(".controls"), root = document.documentElement;
  function measure() {
    root.style.setProperty("--bar", bar.getBoundingClientRect().height + "px");
    document.querySelectorAll("div.table").forEach(function (box) {
      var first = box.querySelector("tr > :first-child");
      box.style.setProperty("--first", (first ? first.getBoundingClientRect().width : 0) + "px");
    });
  }
  function uncover(el) {
    var r = el.getBoundingClientRect(), top = bar.getBoundingClientRect().top;
    if (r.bottom > top - 4) window.scrollBy(0, r.bottom - top + 8);
    else if (r.top < 4) window.scrollBy(0, r.top - 8);
    var box = el.closest("div.table"), cell = el.closest("td, th");
    if (!box || !cell || cell === cell.parentElement.firstElementChild) return;
    var edge = cell.parentElement.firstElementChild.getBoundingClientRect().right, right = box.getBoundingClientRect().right;
    r = el.getBoundingClientRect();
    if (r.left < edge + 4) box.scrollLeft -= edge + 4 - r.left;
    else if (r.right > right - 4) box.scrollLeft += r.right - right + 4;
  }
  measure();
  window.addEventListener("resize", measure);
  if (window.ResizeObserver) {
    var observer = new ResizeObserver(measure);
    observer.observe(bar);
    document.querySelectorAll("div.table table").forEach(function (t) { observer.observe(t); });
  }
  document.addEventListener("focusin", function (e) {
    var el = e.target;
    window.requestAnimationFrame(function () { if (document.activeElement === el) uncover(el); });
  });

  document.getElementById("check").addEventListener("click", checkAll);
  document.getElementById("start-over").addEventListener("click", function () {
    if (!window.confirm(WORDS.start_over)) return;
    try { localStorage.removeItem(data.storage); } catch (e) { /* storage off */ }
    checked = false;
    fields.forEach(function (f) { f.value = ""; unmark(f); fit(f); });
    document.querySelectorAll("button.reveal").forEach(function (b) { show(b, null, false); enable(b, false); });
    document.getElementById("summary").textContent = "";
  });
  document.querySelectorAll("button.reveal").forEach(function (b) {
    b.addEventListener("click", function () { reveal(b); });
  });
  window.selfCheck = { sha256: sha256, canonical: function (t) { var x = parse(t); return x && canonical(x); } };
})();
