//! The worksheet's mathematics reads as a teacher writes it: a coefficient
//! of 1 vanishes, one of −1 leaves its sign, and substituted values read
//! naturally (`−(…)`), negative ones in parentheses where they need them.

use backprop_worksheet::config;
use backprop_worksheet::generate;
use backprop_worksheet::render::{SheetLabel, Templates, Version};

/// The key's markup of a three-layer sheet with coefficients 1, −1 and −3.
fn key_markup() -> String {
    let yaml = "title: Units\nnetwork:\n  input: -2\n  target: 20\n  layers:\n    \
        - { coefficient: 1, weight: 1 }\n    - { coefficient: -1, weight: 3 }\n    - { coefficient: -3, weight: 2 }\n\
        nudge: 0.1\nlearning_rate: 0.1\nreflection_layers: 10\nextension:\n  activation: sigmoid\n  digits: 4\n";
    let spec = config::parse(yaml, "units.yaml", "units").unwrap();
    let templates = Templates::load(None).unwrap();
    let solved = generate::solve_fixed(&spec, &templates).unwrap();
    templates.render(&solved, Version::Key, &SheetLabel::default()).unwrap()
}

#[test]
fn unit_coefficients_vanish() {
    let markup = key_markup();
    // The layer equations.
    assert!(markup.contains("$h_1 =  x + w_1$"), "h1 = x + w1");
    assert!(markup.contains("$h_2 = \u{2212} h_1 + w_2$"), "h2 = −h1 + w2");
    assert!(markup.contains("$y = \u{2212}3 h_2 + w_3$"), "y = −3h2 + w3");
    for wrong in ["1 x", "\u{2212}1 h", "1(", "\u{2212}1("] {
        assert!(!markup.contains(wrong), "the key writes {wrong:?}");
    }
    // The substituted lines: the value alone for 1, −(…) for −1, −3(…) otherwise.
    assert!(markup.contains("$ h_1 =  x + w_1 = #filled("), "h1 = x + w1 = ( x )");
    assert!(markup.contains("$ h_2 = \u{2212} h_1 + w_2 = \u{2212}\\( #filled("), "−( h1 )");
    assert!(markup.contains("$ y = \u{2212}3 h_2 + w_3 = \u{2212}3\\( #filled("), "−3( h2 )");
    // The update: x is negative, so with coefficient 1 it stands alone.
    assert!(markup.contains("$ h_(1,\"new\") = \u{2212}2 + w_(1,\"new\")"), "h1,new = −2 + w1,new");
    // The extension's first layer.
    assert!(markup.contains("z =  x + w_1"), "z = x + w1");
    // The diagram keeps a negative factor in parentheses.
    assert!(markup.contains("$times (\u{2212}1)$") && markup.contains("$times 1$"));
}
