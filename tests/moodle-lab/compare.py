#!/usr/bin/env python3
"""compare.py OUT.json EXPECTED.json: does Moodle's grading (import_and_attempt.php's JSON) give each
subquestion the fraction and feedback responses.py expects?"""
import json, sys
out = json.load(open(sys.argv[1])); expect = json.load(open(sys.argv[2]))
imp = out["import"]
bad = 0; total = 0
for q in out["questions"]:
    exp = expect[q["name"]]
    for n, sub in q["subquestions"].items():
        total += 1
        want_f, want_fb = exp[n]
        got_f = sub["fraction"]; got_fb = (sub.get("feedback") or "").strip()
        if float(got_f or 0) != float(want_f) or got_fb != want_fb.strip():
            bad += 1
            if bad <= 5: print(f"  MISMATCH {q['name']} sub{n}: response={sub['response']!r} got ({got_f}, {got_fb!r}) want ({want_f}, {want_fb!r})")
print(f"import ok={imp['ok']} imported={imp['question_count']}/{imp['questions_in_file']} errors={imp['importerrors']}; "
      f"{total} subquestions, {bad} mismatches; " +
      "; ".join(f"{q['name']}: {q['state']} {q['mark']}/{q['max_mark']} math={q['rendered']['has_math']} svg={q['rendered']['has_svg']}" for q in out["questions"]))
