//! The spoken label of every field of the page: what a screen reader
//! announces for a blank ("h", "E, row w2 + 0.1", "increase or decrease w2").

use crate::answers::Solved;

/// What a screen reader announces for the blank `id`.
pub(super) fn describe(id: &str, solved: &Solved) -> String {
    let nudge = solved.worksheet.nudge.to_display_string();
    let name = |part: &str| -> String {
        match part {
            "error" => "E".to_owned(),
            "dE_dy" => "dE/dy".to_owned(),
            "change" => "change in E".to_owned(),
            _ => {
                if let Some(w) = part.strip_prefix("grad_") {
                    format!("dE/d{w}")
                } else if let Some(v) = part.strip_prefix("new_") {
                    format!("new {}", if v == "error" { "E" } else { v })
                } else if let Some((top, bottom)) = part.strip_prefix('d').and_then(|p| p.split_once("_d")) {
                    format!("d{top}/d{bottom}")
                } else {
                    part.replace('_', " ")
                }
            }
        }
    };
    if let Some(rest) = id.strip_prefix("nudge_") {
        let parts: Vec<&str> = rest.split('.').collect();
        return match parts.as_slice() {
            [w, "direction"] => format!("increase or decrease {w}"),
            [w, row, what] => {
                let row = match *row {
                    "base" => format!("{w} unchanged"),
                    "plus" => format!("{w} + {nudge}"),
                    _ => format!("{w} − {nudge}"),
                };
                format!("{}, row {row}", name(what))
            }
            _ => id.to_owned(),
        };
    }
    if let Some(rest) = id.strip_prefix("ext.") {
        return format!("extension: {}", name(rest));
    }
    match id {
        "strongest_weight" => "the weight with the bigger effect".to_owned(),
        "error_decreased" => "did the error decrease".to_owned(),
        "reflection_factors" => "number of derivatives".to_owned(),
        "discussion" | "which_rule" | "why_harder" | "reflection" | "billions" | "error_verdict" => {
            format!("your answer ({})", id.replace('_', " "))
        }
        _ if id.starts_with("check_") => format!("your answer (check {})", &id[6..]),
        _ => name(id),
    }
}
