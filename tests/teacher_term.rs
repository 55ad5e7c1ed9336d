//! A teacher's whole term, as issue 21 walked it: a roster of names from
//! several cultures saved as spreadsheets save it, students joining and
//! leaving, reprints, forgotten flags, a run stopped with Ctrl-C, and what a
//! teacher opens afterwards (the CSV in Excel, the QR code on a scanned
//! sheet). Every case runs the real binary or the library as `generate` does.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value as Json;

use crate::common;
use common::{expect_exit, files_in as files, root, run, run_in, s, stderr, stdout, words};

/// The class of tests/rosters/, in roster order.
fn class() -> Vec<String> {
    std::fs::read_to_string(roster("names.txt")).unwrap().lines().map(str::to_owned).collect()
}

fn roster(name: &str) -> PathBuf {
    root().join("tests/rosters").join(name)
}

fn ok(args: &[&str]) -> Output {
    let output = run(args);
    expect_exit(&output, 0, &args.join(" "));
    output
}

fn manifest(dir: &Path, stem: &str) -> Vec<Json> {
    let bytes = std::fs::read(dir.join(format!("{stem}-manifest.json"))).unwrap();
    serde_json::from_slice::<Json>(&bytes).unwrap().as_array().unwrap().clone()
}

fn field<'a>(entries: &'a [Json], key: &str) -> Vec<&'a Json> {
    entries.iter().map(|e| &e[key]).collect()
}

/// A randomized three-layer A4 sheet with a tanh extension, as the term used.
const TERM: &str = "\
title: Backpropagation, term 2
paper: a4
network:
  input: { from: 1, to: 3 }
  target: { from: 20, to: 40 }
  layers:
    - { coefficient: { one_of: [2, 3] }, weight: { from: -2, to: 2, step: 0.5 } }
    - { coefficient: 2, weight: { one_of: [-1.5, -2] } }
    - { coefficient: { one_of: [1, 2] }, weight: { from: 0, to: 4 } }
nudge: 0.1
learning_rate: 0.1
extension: { activation: tanh, digits: 4 }
require:
  - error >= 2
";

/// Writes `text` as `name` in `dir` and returns its path.
fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn the_class_roster_reads_alike_in_every_encoding() {
    let tmp = tempfile::tempdir().unwrap();
    let config = write(tmp.path(), "term.yaml", TERM);
    let mut ids = None;
    for file in ["class-utf8-bom-semicolons.csv", "class-utf16.csv"] {
        let out = tmp.path().join(file);
        let output = ok(&[
            "generate",
            s(&config),
            "--roster",
            s(&roster(file)),
            "--seed",
            "7",
            "--format",
            "typ",
            "--out",
            s(&out),
        ]);
        assert!(!stderr(&output).contains("not UTF-8"), "{file}: {}", stderr(&output));
        let entries = manifest(&out, "term");
        let students: Vec<&str> = entries.iter().map(|e| e["student"].as_str().unwrap()).collect();
        assert_eq!(students, class(), "{file}: every name, in order");
        let these: Vec<Json> = entries.iter().map(|e| e["id"].clone()).collect();
        assert_eq!(*ids.get_or_insert(these.clone()), these, "{file}: the same file names");
    }

    // Excel's "CSV" on Western Windows: the letters it could not hold are
    // lost as `?`; every such line is named, with what to do.
    let output =
        run(&["generate", s(&config), "--roster", s(&roster("class-windows-1252.csv")), "--out", s(tmp.path())]);
    let err = expect_exit(&output, 1, "a Windows-1252 roster with lost letters");
    for line in [4, 7, 8, 9, 13, 14, 15, 28] {
        assert!(err.contains(&format!("  line {line}: ")), "line {line}: {err}");
    }
    assert!(err.contains("8 names have a `?`") && err.contains("CSV UTF-8"), "{err}");
    assert!(!err.contains("line 3:") && !err.contains("line 5:"), "Zoë and Bjørn are readable: {err}");

    // What Windows-1252 can hold reads right, with the hint to save as UTF-8.
    let western: Vec<String> =
        class().into_iter().filter(|n| !n.chars().any(|c| c as u32 > 0xFF && c != 'Œ' && c != 'œ')).collect();
    let mut bytes = b"Name,Group\r\n".to_vec();
    for name in &western {
        bytes.extend(encoding_1252(name));
        bytes.extend(b",1\r\n");
    }
    let file = write_bytes(tmp.path(), "western.csv", &bytes);
    let out = tmp.path().join("western");
    let output = ok(&["generate", s(&config), "--roster", s(&file), "--format", "typ", "--out", s(&out)]);
    assert!(stderr(&output).contains("not UTF-8") && stderr(&output).contains("CSV UTF-8"), "{}", stderr(&output));
    let students: Vec<String> =
        manifest(&out, "term").iter().map(|e| e["student"].as_str().unwrap().to_owned()).collect();
    assert_eq!(students, western);
}

/// `text` in Windows-1252 (every character of it is in the code page).
fn encoding_1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            'Œ' => 0x8C,
            'œ' => 0x9C,
            c => u8::try_from(c as u32).expect("in Windows-1252"),
        })
        .collect()
}

fn write_bytes(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn a_roster_saved_again_gives_every_student_the_same_sheet() {
    let tmp = tempfile::tempdir().unwrap();
    let config = write(tmp.path(), "term.yaml", TERM);
    let mut runs = Vec::new();
    // The second file has curly apostrophes, decomposed accents (NFD) and
    // doubled spaces: the same students.
    for file in ["class-utf8-bom-semicolons.csv", "class-resaved.csv"] {
        let out = tmp.path().join(file);
        ok(&["generate", s(&config), "--roster", s(&roster(file)), "--seed", "7", "--format", "typ", "--out", s(&out)]);
        runs.push((out.clone(), manifest(&out, "term")));
    }
    let [(first_out, first), (second_out, second)] = &runs[..] else { unreachable!() };
    for key in ["id", "stream", "answers"] {
        assert_eq!(field(first, key), field(second, key), "{key} of every student");
    }
    let mut a: Vec<String> = files(first_out).into_keys().filter(|n| n.ends_with(".typ")).collect();
    let mut b: Vec<String> = files(second_out).into_keys().filter(|n| n.ends_with(".typ")).collect();
    a.sort();
    b.sort();
    assert_eq!(a, b, "the same file names");
    // Printed as written (composed), the curly apostrophe kept.
    assert_eq!(second[0]["student"], Json::from("Aoife O\u{2019}Sullivan"));
    assert_eq!(second[1]["student"], Json::from("Zoë O\u{2019}Brien"), "NFC: {}", second[1]["student"]);
    assert_eq!(second[21]["student"], Json::from("Kwame Mensah"));

    // Two lines that normalize alike are one student listed twice.
    let twice = write(tmp.path(), "twice.csv", "Ada\nAoife O'Sullivan\nBob\nAoife O\u{2019}Sullivan\n");
    let err = expect_exit(&run(&["answers", s(&config), "--roster", s(&twice), "--student", "Ada"]), 1, "twice");
    assert!(err.contains("twice.csv:4:") && err.contains("listed twice (also on line 2"), "{err}");
}

#[test]
fn students_are_found_as_teachers_type_them() {
    let tmp = tempfile::tempdir().unwrap();
    let config = write(tmp.path(), "term.yaml", TERM);
    let class_file = roster("class-utf8-bom-semicolons.csv");
    let find =
        |query: &str| run(&["answers", s(&config), "--roster", s(&class_file), "--student", query, "--format", "json"]);
    for (query, name) in [
        ("lukasz wisniewski", "Łukasz Wiśniewski"),
        ("bjorn lovdal", "Bjørn Løvdal"),
        ("soren kierkegaard-aebelo", "Søren Kierkegaard-Æbelø"),
        ("thorunn jonsdottir", "Þórunn Jónsdóttir"),
        ("Maximilian Grossmann", "Maximilian Großmann"),
        ("amelie coeur", "Amélie Cœur"),
        ("dang van lam", "Đặng Văn Lâm"),
        ("Maximilian", "Maximilian Großmann"),
        ("Khai", "Nguyễn Thị Minh Khai"),
        ("zoe-o-brien", "Zoë O'Brien"),
    ] {
        let output = find(query);
        expect_exit(&output, 0, query);
        let json: Json = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(json["sheet"]["student"], Json::from(name), "{query}");
    }
    // Two students called Mohammed: both are listed, to choose from.
    let err = expect_exit(&find("Mohammed"), 1, "Mohammed");
    assert!(err.contains("\"Mohammed Ali\" (line 10)") && err.contains("\"Mohammed Rahman\" (line 11)"), "{err}");

    // A row with a group but no name is reported with its line.
    let gaps = write(tmp.path(), "gaps.csv", "Name;Group\nAda;1\n;2\n;;\nBob;3\n");
    let output = run(&["answers", s(&config), "--roster", s(&gaps), "--student", "Bob"]);
    let err = expect_exit(&output, 0, "a row without a name");
    assert!(err.contains("gaps.csv: line 3 has no name"), "{err}");
    assert!(!err.contains("line 4"), "a row of empty cells is padding: {err}");
}

#[test]
fn a_fixed_config_takes_a_roster_whatever_the_rules_say() {
    let tmp = tempfile::tempdir().unwrap();
    // A learning rate of 0.0003 gives answers with more than 6 decimal places.
    let fixed = TERM
        .replace("{ from: 1, to: 3 }", "2")
        .replace("{ from: 20, to: 40 }", "30")
        .replace("{ one_of: [2, 3] }", "3")
        .replace("{ from: -2, to: 2, step: 0.5 }", "0.25")
        .replace("{ one_of: [-1.5, -2] }", "-1.5")
        .replace("{ one_of: [1, 2] }", "-1")
        .replace("{ from: 0, to: 4 }", "4")
        .replace("learning_rate: 0.1", "learning_rate: 0.0003");
    let config = write(tmp.path(), "fixed.yaml", &fixed);
    let class_file = write(tmp.path(), "class.csv", "Ada Lovelace\nAlan Turing\nGrace Hopper\n");
    let out = tmp.path().join("out");
    let output = ok(&["generate", s(&config), "--roster", s(&class_file), "--out", s(&out), "--format", "typ"]);
    assert!(!stderr(&output).contains("max_decimals"), "{}", stderr(&output));
    let entries = manifest(&out, "fixed");
    assert!(entries.iter().all(|e| e["answers"] == entries[0]["answers"]), "everyone has the same numbers");
    assert_eq!(entries[2]["student"], Json::from("Grace Hopper"));

    // Drawn, the same numbers break max_decimals in every draw: the message
    // names the rule, says it is built in, and gives the YAML that relaxes it.
    let drawn = fixed.replace("input: 2", "input: { from: 2, to: 3 }");
    let config = write(tmp.path(), "drawn.yaml", &drawn);
    let err = expect_exit(&run(&["generate", s(&config), "--variants", "2", "--out", s(&out)]), 1, "max_decimals");
    assert!(err.contains("the built-in rule `max_decimals` (no answer has more than 6 decimal places)"), "{err}");
    assert!(err.contains("add to the config:\n\n    rules:\n      max_decimals: "), "{err}");
    // Written in the config, it is blamed at its line.
    let config = write(tmp.path(), "written.yaml", &format!("{drawn}rules:\n  max_decimals: 6\n"));
    let err = expect_exit(&run(&["generate", s(&config), "--variants", "2", "--out", s(&out)]), 1, "written rule");
    let line = drawn.lines().count() + 2;
    assert!(err.contains(&format!("written.yaml:{line}:")) && err.contains("Change it to `max_decimals: "), "{err}");
    // `false` turns it off.
    let config = write(tmp.path(), "off.yaml", &format!("{drawn}rules: {{ max_decimals: false }}\n"));
    ok(&["generate", s(&config), "--variants", "2", "--out", s(&out), "--format", "typ", "--quiet"]);
}

#[test]
fn a_run_never_replaces_another_runs_sheets_unasked() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "term.yaml", TERM);
    write(dir, "11b.csv", "Ada Lovelace\nAlan Turing\nGrace Hopper\n");
    write(dir, "11c.csv", "Edsger Dijkstra\nBarbara Liskov\n");
    let in_dir = |args: &[&str]| run_in(dir, args);
    let made = in_dir(&["generate", "term.yaml", "--roster", "11b.csv", "--seed", "2025", "--out", "class", "--quiet"]);
    expect_exit(&made, 0, "the class set");
    let out = dir.join("class");
    let set = files(&out);

    // The manifest says what makes every sheet again.
    let entries = manifest(&out, "term");
    let run_of = &entries[0]["run"];
    assert_eq!(run_of["config"], Json::from("../term.yaml"));
    assert_eq!(run_of["roster"], Json::from("../11b.csv"));
    assert_eq!((run_of["kind"].as_str(), run_of["seed"].as_u64()), (Some("roster"), Some(2025)));
    assert_eq!(
        field(&entries, "student"),
        [&Json::from("Ada Lovelace"), &"Alan Turing".into(), &"Grace Hopper".into()]
    );
    let command = run_of["command"].as_str().unwrap();
    assert_eq!(command, "backprop-worksheet generate ../term.yaml --out . --roster ../11b.csv --seed 2025");
    let again: Vec<&str> = command.split(' ').skip(1).chain(["--check"]).collect();
    expect_exit(&run_in(&out, &again), 0, "the recorded command, run in the folder, finds it up to date");

    // Forgotten flags, another class, another seed: refused before anything
    // is written, naming the run that made the sheets.
    for (args, why) in [
        (&["generate", "term.yaml", "--out", "class"][..], "without --roster"),
        (&["generate", "term.yaml", "--roster", "11c.csv", "--seed", "2025", "--out", "class"], "another roster"),
        (&["generate", "term.yaml", "--roster", "11b.csv", "--out", "class"], "the seed forgotten"),
        (&["generate", "term.yaml", "--variants", "3", "--seed", "2025", "--out", "class"], "variants"),
        (&["generate", "term.yaml", "--roster", "11b.csv", "--student", "Ada", "--out", "class"], "a reprint, seed 1"),
    ] {
        let err = expect_exit(&in_dir(args), 1, why);
        assert!(err.contains("made with --roster 11b.csv --seed 2025") && err.contains("--replace"), "{why}: {err}");
        assert!(err.contains("class/term-ada-lovelace-key.pdf"), "{why} lists the files: {err}");
        assert_eq!(files(&out), set, "{why}: nothing written or removed");
    }
    // The same run again, and a reprint with the right seed, are fine.
    let args = ["generate", "term.yaml", "--roster", "11b.csv", "--seed", "2025", "--out", "class", "--quiet"];
    expect_exit(&in_dir(&args), 0, "the same run again");
    assert_eq!(files(&out), set, "byte for byte");
    let args =
        ["generate", "term.yaml", "--roster", "11b.csv", "--seed", "2025", "--student", "grace", "--out", "class"];
    expect_exit(&in_dir(&args), 0, "a reprint");
    // --replace says yes.
    let args = ["generate", "term.yaml", "--roster", "11c.csv", "--seed", "2025", "--out", "class", "--replace"];
    let printed = stdout(&in_dir(&args));
    assert!(printed.contains("removed 6 files an earlier run made"), "{printed}");
    assert!(!out.join("term-ada-lovelace-key.pdf").exists() && out.join("term-barbara-liskov-key.pdf").exists());

    // A student who leaves takes their self-check page along, though this
    // run makes no pages; the pages of those who stay are kept, and told of.
    let args =
        ["generate", "term.yaml", "--roster", "11c.csv", "--seed", "2025", "--out", "class", "--format", "pdf,html"];
    expect_exit(&in_dir(&args), 0, "with pages");
    write(dir, "11c.csv", "Barbara Liskov\n");
    let args = ["generate", "term.yaml", "--roster", "11c.csv", "--seed", "2025", "--out", "class"];
    let output = in_dir(&args);
    let err = expect_exit(&output, 0, "a student left");
    assert!(!out.join("term-edsger-dijkstra-student.html").exists(), "the page of the student who left");
    assert!(out.join("term-barbara-liskov-student.html").exists(), "a page of a student who stays is kept");
    assert!(err.contains("also holds 1 self-check page (--format html) of term"), "{err}");
    assert!(stdout(&output).contains("1 sheet,"), "one sheet, singular: {}", stdout(&output));
}

#[cfg(unix)]
#[test]
fn an_interrupted_run_leaves_nothing_behind() {
    use std::process::{Command, Stdio};
    let tmp = tempfile::tempdir().unwrap();
    let config = write(tmp.path(), "term.yaml", TERM);
    let out = tmp.path().join("out");
    ok(&["generate", s(&config), "--variants", "2", "--out", s(&out), "--quiet"]);
    let set = files(&out);
    let temporaries = |dir: &Path| -> Vec<String> {
        files(dir).into_keys().filter(|n| n.starts_with(".backprop-worksheet-")).collect()
    };

    // Ctrl-C in the middle of a 200-variant run, once it has files staged.
    let child = Command::new(assert_cmd::cargo::cargo_bin("backprop-worksheet"))
        .args(["generate", s(&config), "--variants", "200", "--format", "typ,pdf", "--out", s(&out), "--replace"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while temporaries(&out).len() < 4 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(temporaries(&out).len() >= 4, "the run staged files");
    let kill = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(files(&out), set, "no temporary file left, the earlier set intact");

    // A run that was killed outright cannot clean up: the next run does, and
    // --check reports its files until then. So are those of older versions.
    let mut gone = Command::new("true").spawn().unwrap();
    let dead = gone.id();
    gone.wait().unwrap();
    let left = [format!(".backprop-worksheet-{dead}-a1B2c3"), ".backprop-worksheet-Zz9yX8".to_owned()];
    for name in &left {
        write(&out, name, "half a PDF");
    }
    let check = run(&["generate", s(&config), "--variants", "2", "--out", s(&out), "--check"]);
    let err = expect_exit(&check, 1, "--check with temporary files");
    for name in &left {
        assert!(err.lines().any(|l| l.contains("extra:") && l.contains(name.as_str())), "{name}: {err}");
    }
    let output = ok(&["generate", s(&config), "--variants", "2", "--out", s(&out)]);
    assert!(stdout(&output).contains("removed 2 temporary files"), "{}", stdout(&output));
    assert!(temporaries(&out).is_empty());
    // A running process's temporary files are its own: left alone.
    let mine = format!(".backprop-worksheet-{}-q1W2e3", std::process::id());
    write(&out, &mine, "being written");
    ok(&["generate", s(&config), "--variants", "2", "--out", s(&out), "--quiet"]);
    assert!(out.join(&mine).exists());
}

pub(crate) const SKEWED: &str = "\
title: Skewed
network:
  input: { from: 1, to: 4 }
  target: { from: 20, to: 30 }
  layers:
    - { coefficient: 3, weight: { one_of: [1, 2] } }
    - { coefficient: 2, weight: { one_of: [3, 2.001] } }
nudge: 0.1
learning_rate: 0.01
";

#[test]
fn skewed_choices_and_impossible_constraints_are_reported() {
    let tmp = tempfile::tempdir().unwrap();
    // 2.001 gives answers of 7 or more decimal places: max_decimals keeps it off nearly every sheet.
    let config = write(tmp.path(), "skewed.yaml", SKEWED);
    let output = run(&["check", s(&config)]);
    let err = expect_exit(&output, 0, "check of a skewed config");
    let warning = err.lines().find(|l| l.contains("2.001")).unwrap_or_else(|| panic!("no warning: {err}"));
    assert!(warning.contains("skewed.yaml:7:") && warning.contains("is 2.001 on 0 of"), "{warning}");
    assert!(warning.contains("an even share is 50%") && warning.contains("rule max_decimals"), "{warning}");
    assert_eq!(err.matches("warning").count(), 1, "even choices are not reported: {err}");
    let out = stdout(&output);
    for rule in
        ["rule nonzero_error", "rule nonzero_gradients (no gradient is 0): held in", "rule max_decimals (no answer"]
    {
        assert!(out.contains(rule), "check names {rule}: {out}");
    }
    let output =
        ok(&["generate", s(&config), "--variants", "24", "--format", "typ", "--out", s(&tmp.path().join("o"))]);
    assert!(stderr(&output).contains("is 2.001 on 0 of 24 sheets"), "{}", stderr(&output));

    // Two constraints no draw meets: both, at their lines, in one run, with
    // the values their answers took.
    let impossible = format!("{TERM}  - grad_w1 < 0 and grad_w2 > 0\n  - error > 100000\n");
    let config = write(tmp.path(), "impossible.yaml", &impossible);
    let lines = TERM.lines().count();
    for args in [vec!["check", s(&config)], vec!["generate", s(&config), "--variants", "2"]] {
        let err = expect_exit(&run_in(tmp.path(), &args), 1, "impossible constraints");
        for (line, constraint) in [(lines + 1, "grad_w1 < 0 and grad_w2 > 0"), (lines + 2, "error > 100000")] {
            assert!(err.contains(&format!("impossible.yaml:{line}:")) && err.contains(constraint), "{err}");
        }
        assert!(err.contains("Look at the constraint itself") && err.contains("grad_w2 was from"), "{err}");
        assert!(!tmp.path().join("out").exists());
    }
}

/// Every text item of the first page whose top is below `from_top` points,
/// with its left and right edge, in reading order.
#[allow(clippy::disallowed_types)] // positions on the page, not answers
fn texts_below(layout: &backprop_worksheet::typeset::Layout, from_top: f64) -> Vec<(String, f64, f64, String)> {
    use typst::layout::{Frame, FrameItem, Point, Transform};
    fn walk(frame: &Frame, ts: Transform, out: &mut Vec<(String, f64, f64, f64, String)>) {
        for (pos, item) in frame.items() {
            let at = ts.pre_concat(Transform::translate(pos.x, pos.y));
            match item {
                FrameItem::Group(g) => walk(&g.frame, at.pre_concat(g.transform), out),
                FrameItem::Text(t) => {
                    let left = Point::zero().transform(at);
                    let right = Point::new(t.width(), typst::layout::Abs::zero()).transform(at);
                    let family = t.font.info().family.clone();
                    out.push((t.text.to_string(), left.x.to_pt(), right.x.to_pt(), left.y.to_pt(), family));
                }
                _ => {}
            }
        }
    }
    let mut all = Vec::new();
    walk(&layout.as_paged().pages()[0].frame, Transform::identity(), &mut all);
    all.into_iter().filter(|t| t.3 > from_top).map(|(text, l, r, _, f)| (text, l, r, f)).collect()
}

#[test]
#[allow(clippy::disallowed_types)] // positions on the page, not answers
fn roster_sheets_print_the_name_and_encode_it_readably() {
    use backprop_worksheet::batch::{self, Request};
    use backprop_worksheet::{config, generate};
    let spec = config::parse(TERM, "term.yaml", "term").unwrap();
    let names = [
        "Zoë O'Brien",
        "محمد الأحمد",
        "Nguyễn Thị Minh Khai",
        "Zoë Vandersteen-Hollingsworth-Montgomery-Abernathy the Third",
    ];
    let request =
        Request { seed: 7, roster: Some(names.iter().map(|n| n.to_string()).collect()), ..Default::default() };
    for sheet in batch::draw(&spec, words(), &request).unwrap() {
        let name = sheet.label.student.clone().unwrap();
        let [student, _] = generate::typeset_sheet(words(), &sheet.variant.solved, &sheet.label, false).unwrap();

        // The QR code, read by an independent decoder from the page as
        // printed. (rqrr reads the larger code of a 60-letter name only at a
        // higher resolution; zbar reads it at 150 dpi, see below.)
        if name.len() <= 40 {
            let png = backprop_worksheet::typeset::png(&student.layout, 0, 300.0).unwrap();
            let decoder = png::Decoder::new(std::io::Cursor::new(png));
            let mut reader = decoder.read_info().unwrap();
            let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
            let info = reader.next_frame(&mut pixels).unwrap();
            let channels = info.line_size / info.width as usize;
            let grey = |x: usize, y: usize| pixels[(y * info.width as usize + x) * channels];
            let mut image =
                rqrr::PreparedImage::prepare_from_greyscale(info.width as usize, info.height as usize, grey);
            let grids = image.detect_grids();
            assert_eq!(grids.len(), 1, "{name}: one QR code on the first page");
            let (_, text) = grids[0].decode().unwrap();
            assert_eq!(text, format!("term:{}", sheet.label.id), "{name}");
        }

        // The name line says "Name:" and prints the name whole; the footer
        // fits it before the page number.
        let page = &student.layout.as_paged().pages()[0];
        let height = page.frame.height().to_pt();
        let all = texts_below(&student.layout, 0.0);
        assert!(all.iter().any(|t| t.0.contains("Name:")) && !all.iter().any(|t| t.0.contains("Group")), "{name}");
        let footer = texts_below(&student.layout, height - 60.0);
        let page_number =
            footer.iter().find(|t| t.0.starts_with("Page")).unwrap_or_else(|| panic!("{name}: {footer:?}"));
        let before: Vec<_> = footer.iter().filter(|t| t.2 <= page_number.1).collect();
        let name_end = before.iter().map(|t| t.2).fold(0.0, f64::max);
        assert!(
            page_number.1 - name_end >= 10.0,
            "{name}: the name ends {name_end}, the page number starts {}",
            page_number.1
        );
        let footer_name: String = before.iter().map(|t| t.0.as_str()).collect::<Vec<_>>().join(" ");
        assert!(!footer_name.contains("Variant"), "a roster sheet's footer names the student once: {footer_name}");
        if name.len() > 40 {
            assert!(footer_name.ends_with('…'), "a long name is shortened: {footer_name}");
        }
        // Arabic is set in the embedded Naskh, not a monospaced fallback.
        if name.starts_with('م') {
            let arabic = all.iter().find(|t| t.0.chars().any(|c| ('\u{600}'..='\u{6FF}').contains(&c))).unwrap();
            assert_eq!(arabic.3, "Noto Naskh Arabic", "{arabic:?}");
        }
    }
}

#[test]
fn the_csv_manifest_keeps_every_name_for_excel() {
    let tmp = tempfile::tempdir().unwrap();
    let config = write(tmp.path(), "term.yaml", TERM);
    let out = tmp.path().join("out");
    let file = roster("class-utf16.csv");
    ok(&["generate", s(&config), "--roster", s(&file), "--format", "typ", "--out", s(&out), "--quiet"]);
    let bytes = std::fs::read(out.join("term-manifest.csv")).unwrap();
    assert!(bytes.starts_with("\u{feff}id,seed,student,".as_bytes()), "a byte-order mark, then the header");
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let students: Vec<String> = reader.records().map(|r| r.unwrap()[2].to_owned()).collect();
    assert_eq!(students, class());
}

/// Python's `csv` module and pandas read the CSV manifest with every name
/// (Excel reads it as UTF-8 because of its byte-order mark), and zbar reads
/// the QR codes of accented, Arabic and Vietnamese names as written. Needs
/// python3 with pandas and zbar-tools; `.ci/run` installs them.
#[test]
#[ignore = "needs python3 with pandas and zbarimg; .ci/run installs them and runs it"]
fn python_pandas_and_zbar_read_what_a_teacher_opens() {
    let tmp = tempfile::tempdir().unwrap();
    let config = write(tmp.path(), "term.yaml", TERM);
    let out = tmp.path().join("out");
    let file = roster("class-utf8-bom-semicolons.csv");
    ok(&["generate", s(&config), "--roster", s(&file), "--format", "pdf,png", "--out", s(&out), "--quiet"]);
    let script = "import csv, sys, pandas\n\
        rows = list(csv.DictReader(open(sys.argv[1], encoding='utf-8-sig', newline='')))\n\
        frame = pandas.read_csv(sys.argv[1])\n\
        assert list(frame['student']) == [r['student'] for r in rows], (list(frame.columns), rows[:2])\n\
        print('\\n'.join(r['student'] for r in rows))\n";
    // The first Python that has pandas (a pyenv one may not; Debian's does).
    let python = ["python3", "/usr/bin/python3"]
        .into_iter()
        .find(|python| {
            std::process::Command::new(python).args(["-c", "import pandas"]).status().is_ok_and(|s| s.success())
        })
        .expect("a python3 with pandas (apt-get install python3-pandas)");
    let output = std::process::Command::new(python)
        .args(["-c", script, s(&out.join("term-manifest.csv"))])
        .output()
        .expect("python3 runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(String::from_utf8(output.stdout).unwrap().lines().collect::<Vec<_>>(), class());

    for id in ["zoë-o-brien", "محمد-الأحمد", "nguyễn-thị-minh-khai"] {
        // The sheet's own first page, at a resolution a scanner gives.
        let pdf = out.join(format!("term-{id}-student.pdf"));
        let prefix = tmp.path().join("scan");
        let status = std::process::Command::new("pdftoppm")
            .args(["-png", "-r", "200", "-f", "1", "-l", "1", s(&pdf), s(&prefix)])
            .status()
            .expect("pdftoppm runs");
        assert!(status.success());
        let scanned = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("scan"))
            .unwrap();
        let output =
            std::process::Command::new("zbarimg").args(["-q", "--raw", s(&scanned)]).output().expect("zbarimg");
        std::fs::remove_file(&scanned).unwrap();
        assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), format!("term:{id}"));
    }
}

#[test]
fn the_small_things() {
    let tmp = tempfile::tempdir().unwrap();
    // `check` with nothing to check says how to call it.
    let err = expect_exit(&run_in(tmp.path(), &["check"]), 2, "check in an empty folder");
    assert!(err.contains("backprop-worksheet check worksheet.yaml"), "{err}");

    // One minus sign throughout `answers`.
    let text = stdout(&ok(&["answers", "configs/negative-fractional.yaml"]));
    assert!(!text.contains("= -") && !text.contains(" -0") && text.contains('\u{2212}'), "{text}");

    // The intro's *italic* and **bold**; everything else literal.
    let intro = TERM.replace("paper: a4", "paper: a4\nintro: How a network *learns*, and **why** 2 * 3 = 6 _here_ $x$");
    let config = write(tmp.path(), "intro.yaml", &intro.replace("{ from: 1, to: 3 }", "2"));
    let out = tmp.path().join("out");
    ok(&["generate", s(&config), "--variants", "1", "--format", "typ", "--out", s(&out), "--quiet"]);
    let markup = std::fs::read_to_string(out.join("intro-v01-student.typ")).unwrap();
    let expected = "How a network #emph[learns]\\, and #strong[why] 2 \\* 3 \\= 6 \\_here\\_ \\$x\\$";
    assert!(markup.contains(expected), "{markup:.3000}");
}

#[test]
fn watch_quiet_says_only_what_changed() {
    use std::time::Duration;
    let tmp = tempfile::tempdir().unwrap();
    // Its key prints long answers rounded: a warning on every build.
    let long = "title: Long\nnetwork:\n  input: 12\n  target: 1000\n  layers:\n    - { coefficient: 7, weight: 40 }\n    \
                - { coefficient: -5, weight: -120 }\n    - { coefficient: 9, weight: 300 }\nnudge: 0.5\nlearning_rate: 0.125\n";
    let config = write(tmp.path(), "long.yaml", long);
    let child = common::start_watch(&[s(&config), "--quiet", "--format", "typ", "--out", s(&tmp.path().join("out"))]);
    let key = tmp.path().join("out/long-key.typ");
    common::wait_until(&|| key.exists());
    let first = std::fs::read(&key).unwrap();
    // Saved with the same warning, then with a new problem.
    std::thread::sleep(Duration::from_millis(1100));
    write(tmp.path(), "long.yaml", &long.replace("title: Long", "title: Longer"));
    common::wait_until(&|| std::fs::read(&key).is_ok_and(|k| k != first));
    std::thread::sleep(Duration::from_millis(1100));
    write(tmp.path(), "long.yaml", &long.replace("nudge: 0.5", "nudge: 0"));
    std::thread::sleep(Duration::from_millis(2000));
    let (out, err) = common::stop_watch(child);
    assert!(out.is_empty(), "--quiet prints nothing on success: {out}");
    assert_eq!(err.matches("significant digits").count(), 1, "the same warning once: {err}");
    assert_eq!(err.matches("the nudge must be greater than 0").count(), 1, "{err}");
}
