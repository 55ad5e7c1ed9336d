//! The authoring and CI workflow: `check`, `generate --check`, `watch`,
//! `schema`, `init` and completions, each recorded as exit code and output.

use std::io::{BufRead as _, BufReader};

use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;

use crate::common;
use common::templates_with;

fn tool() -> Command {
    Command::cargo_bin("backprop-worksheet").unwrap()
}

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).to_string()
}

#[test]
fn check_passes_on_the_shipped_configs() {
    let output = tool().args(["check", "configs"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(stdout.contains("ok   configs/classic.yaml"), "{stdout}");
    assert!(stdout.contains("sample draws acceptable") && stdout.contains("require: error >= 2: held in"), "{stdout}");
}

#[test]
fn check_names_the_template_line_of_every_problem() {
    let dir = tempfile::tempdir().unwrap();
    // A Typst error and, separately, a template error.
    templates_with(dir.path(), |t| t.replacen("== The Network\n", "== The Network #nonexistent-function()\n", 1));
    let line = std::fs::read_to_string(dir.path().join("worksheet.typ.j2"))
        .unwrap()
        .lines()
        .position(|l| l.contains("#nonexistent-function"))
        .unwrap()
        + 1;
    let output = tool().args(["check", "configs/classic.yaml", "--templates"]).arg(dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = stderr_of(&output);
    assert!(stderr.contains(&format!("worksheet.typ.j2:{line}:")), "{stderr}");
    assert!(stderr.contains("unknown variable: nonexistent-function"), "{stderr}");
    assert!(stderr.contains("#nonexistent-function()"), "the offending line is shown: {stderr}");

    templates_with(dir.path(), |t| t.replacen("{{ doc.title }}", "{{ doc.titel }}", 1));
    let output = tool().args(["check", "configs", "--templates"]).arg(dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = stderr_of(&output);
    assert!(stderr.contains("worksheet.typ.j2:") && stderr.contains("`doc.titel` is undefined"), "{stderr}");
    // Every config is reported, not only the first.
    let configs = std::fs::read_dir("configs")
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "yaml"))
        .count();
    assert!(stderr.contains(&format!("{configs} problems found")), "{stderr}");
}

#[test]
fn generate_check_detects_stale_and_missing_files() {
    let out = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        let mut cmd = tool();
        cmd.args(["generate", "configs/classic.yaml", "--out"]).arg(out.path()).args(extra);
        cmd.output().unwrap()
    };
    let missing = run(&["--check"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr_of(&missing).contains("missing:"), "{}", stderr_of(&missing));
    assert!(std::fs::read_dir(out.path()).unwrap().next().is_none(), "--check writes nothing");

    assert!(run(&[]).status.success());
    let fresh = run(&["--check"]);
    assert!(fresh.status.success(), "{}", stderr_of(&fresh));
    assert!(String::from_utf8_lossy(&fresh.stdout).contains("up to date: 3 files"));

    let templates = tempfile::tempdir().unwrap();
    templates_with(templates.path(), |t| t.replace("Here's our simple neural network:", "Here is our neural network:"));
    let mut cmd = tool();
    cmd.args(["generate", "configs/classic.yaml", "--check", "--out"])
        .arg(out.path())
        .arg("--templates")
        .arg(templates.path());
    let stale = cmd.output().unwrap();
    assert_eq!(stale.status.code(), Some(1));
    let stderr = stderr_of(&stale);
    assert!(
        stderr.contains("stale:") && stderr.contains("classic-student.pdf") && stderr.contains("classic-key.pdf"),
        "{stderr}"
    );
}

#[test]
fn schema_is_derived_json_schema() {
    let output = tool().arg("schema").output().unwrap();
    assert!(output.status.success());
    let schema: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(schema["additionalProperties"], false);
    let properties = schema["properties"].as_object().unwrap();
    for field in ["title", "network", "nudge", "learning_rate", "reflection_layers", "extension", "require"] {
        assert!(properties.contains_key(field), "{field} missing from the schema");
    }
    let required: Vec<&str> = schema["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(required.contains(&"network") && !required.contains(&"extension"));
    // The reflection question's layer count is optional, the handout's 10 by default.
    assert!(!required.contains(&"reflection_layers"));
    assert_eq!(properties["reflection_layers"]["default"], 10);
    assert_eq!(
        (properties["reflection_layers"]["minimum"].as_u64(), properties["reflection_layers"]["maximum"].as_u64()),
        (Some(2), Some(1000))
    );
    // The paper size is read in any case, so the schema must not be the
    // closed list `us-letter`, `a4` (an editor would flag `A4`).
    let paper = &properties["paper"];
    assert!(paper.get("$ref").is_none() && paper["pattern"].as_str().is_some_and(|p| p.contains("[Aa]4")), "{paper}");
}

#[test]
fn init_writes_a_starter_that_checks_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mine.yaml");
    let output = tool().arg("init").arg(&path).output().unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("backprop-worksheet generate"));
    let check = tool().arg("check").arg(&path).output().unwrap();
    assert!(check.status.success(), "the starter config must be valid: {}", stderr_of(&check));
    let again = tool().arg("init").arg(&path).output().unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr_of(&again).contains("already exists"));
}

#[test]
fn completions_are_printed() {
    let output = tool().args(["completions", "bash"]).output().unwrap();
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("backprop-worksheet"));
}

#[test]
fn watch_regenerates_on_change_and_survives_errors() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("sheet.yaml");
    let original = std::fs::read_to_string("configs/classic.yaml").unwrap();
    std::fs::write(&config, &original).unwrap();
    let out = dir.path().join("out");
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("backprop-worksheet"))
        .arg("watch")
        .arg(&config)
        .arg("--out")
        .arg(&out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let wait_for = |what: &str| {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
                if line.contains(what) {
                    return true;
                }
            }
        }
        false
    };
    assert!(wait_for("regenerated 3 files"), "first build");
    let first = std::fs::read(out.join("sheet-key.pdf")).unwrap();
    // A broken edit is reported, and watch keeps going.
    std::thread::sleep(Duration::from_millis(1100));
    std::fs::write(&config, original.replace("nudge: 0.1", "nudge: 0")).unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    std::fs::write(&config, original.replace("target: 20", "target: 21")).unwrap();
    assert!(wait_for("regenerated 3 files"), "rebuild after the fix");
    let second = std::fs::read(out.join("sheet-key.pdf")).unwrap();
    child.kill().unwrap();
    let _ = child.wait();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(stderr.contains("the nudge must be greater than 0"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_ne!(first, second, "the key changed with the target");
}
