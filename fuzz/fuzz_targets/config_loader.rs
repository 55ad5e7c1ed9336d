//! Arbitrary bytes as a YAML config: `config::parse` must never panic, and a
//! config it accepts must solve and print its answers (text and JSON).
#![no_main]

use backprop_worksheet::config;
use backprop_worksheet::render::Templates;
use libfuzzer_sys::fuzz_target;

/// The built-in templates, loaded once; they word the model answers.
fn words() -> &'static Templates {
    static TEMPLATES: std::sync::OnceLock<Templates> = std::sync::OnceLock::new();
    TEMPLATES.get_or_init(|| Templates::load(None).expect("the built-in templates load"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let spec = match config::parse(text, "fuzz.yaml", "fuzz") {
        Ok(spec) => spec,
        Err(error) => {
            // The error is shown to people: building its text (line, caret) must not panic either.
            let _ = error.to_string();
            return;
        }
    };
    let _ = spec.combinations();
    if let Some(worksheet) = spec.fixed() {
        // `parse` already refused a fixed config that does not solve.
        let solved = backprop_worksheet::answers::solve(worksheet, words()).expect("an accepted fixed config must solve");
        let text = solved.text("t", None, &|_| Vec::new(), words()).expect("the answers' text renders");
        assert!(text.starts_with("t\n"));
        serde_json::to_string(&solved.answers).expect("answers serialize to JSON");
    } else {
        // A config with ranges or choices: solve its first variant, which may
        // legitimately be unsolvable (zero error), but must not panic.
        let worksheet = spec.resolve(|f| f.spec.value(0));
        if let Ok(solved) = backprop_worksheet::answers::solve(worksheet, words()) {
            solved.text("t", None, &|_| Vec::new(), words()).expect("the answers' text renders");
            serde_json::to_string(&solved.answers).expect("answers serialize to JSON");
        }
    }
});
