#!/usr/bin/env python3
"""Responses for the Moodle lab's import_and_attempt.php from a backprop-worksheet Moodle XML
file, and the fraction and feedback each subquestion should then get.
usage: responses.py FILE.xml MODE RESPONSES.json EXPECTED.json
MODE: key (every full-mark answer) | printed (a rounded key's value as printed, to 10 digits) |
      rough ("approximately" blanks rounded to 2 digits) | slip:N (each blank's N-th slip where
      it has one, else the key) | wrong (a number far from everything; a wrong option)"""
import html, json, re, sys
import xml.etree.ElementTree as ET

path, mode, out_path, expect_path = sys.argv[1:5]
root = ET.parse(path).getroot()
out, expect = {}, {}
for q in root.findall("question"):
    if q.get("type") != "cloze":
        continue
    name = q.find("name/text").text
    text = q.find("questiontext/text").text
    resp, exp = {}, {}
    for n, m in enumerate(re.finditer(r'data-answer="([^"]*)">\{1:(NUMERICAL|MULTICHOICE):([^}]*)\}', text), start=1):
        blank, kind, body = m.groups()
        def parse(a):
            frac, rest = ("=", a[1:]) if a.startswith("=") else ("%0%", a[3:])
            ans, _, fb = rest.partition("#")
            return frac, html.unescape(html.unescape(ans)), html.unescape(html.unescape(fb))
        alts = [parse(a) for a in body.split("~")]
        right = [a for a in alts if a[0] == "="][0]
        wrongs = [a for a in alts if a[0] != "=" and a[1] != "*"]
        catch = [a for a in alts if a[1] == "*"]
        if kind == "MULTICHOICE":
            pick = right if mode != "wrong" else wrongs[0]
            resp[str(n)] = re.sub(r"<[^>]*>", "", pick[1])
            exp[str(n)] = (1 if pick is right else 0, pick[2])
            continue
        number = right[1].partition(":")[0]
        if mode.startswith("slip:") and len(wrongs) > int(mode[5:]):
            w = wrongs[int(mode[5:])]
            resp[str(n)] = w[1].partition(":")[0]
            exp[str(n)] = (0, w[2])
        elif mode == "wrong":
            resp[str(n)] = repr(abs(float(number)) * 2 + 1000)
            exp[str(n)] = (0, catch[0][2])
        elif mode in ("printed", "rough") and float(right[1].partition(":")[2] or 0) > 0:
            from decimal import Decimal, ROUND_HALF_UP
            d = Decimal(number)
            tol = Decimal(right[1].partition(":")[2])
            digits = 10 if mode == "printed" else 2
            if mode == "rough" and (not re.fullmatch(r"nudge_w\d+\.(plus|minus)\.change", blank) or tol < abs(d) / 1000):
                digits = 10
            q = Decimal(1).scaleb(d.adjusted() - digits + 1)
            resp[str(n)] = str(d.quantize(q, rounding=ROUND_HALF_UP)) if d != 0 else "0"
            exp[str(n)] = (1, right[2])
        else:
            resp[str(n)] = number
            exp[str(n)] = (1, right[2])
    out[name] = resp
    expect[name] = exp
json.dump(out, open(out_path, "w"), indent=1, ensure_ascii=False)
json.dump(expect, open(expect_path, "w"), indent=1, ensure_ascii=False)
