//! Golden snapshots for every config in `configs/`: its answers as JSON and the
//! rendered Typst source of both versions. A change to the engine or a template
//! shows up here as a reviewable diff (`cargo insta review`).

use backprop_worksheet::config;
use backprop_worksheet::generate;
use backprop_worksheet::render::{SheetLabel, Templates, Version};

#[test]
fn answers_and_markup() {
    let templates = Templates::load(None).unwrap();
    insta::glob!("../configs", "*.yaml", |path| {
        let spec = config::load(path).unwrap();
        if spec.is_randomized() {
            return;
        }
        let solved = generate::solve_fixed(&spec, &templates).unwrap();
        insta::assert_json_snapshot!("answers", solved.answers);
        for version in Version::BOTH {
            let markup = templates.render(&solved, version, &SheetLabel::default()).unwrap();
            insta::assert_snapshot!(version.name(), markup);
        }
    });
}
