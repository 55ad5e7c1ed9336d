//! The integration tests, one module per file beside this one, built as one
//! test binary: each binary links the whole typesetter (about 70 MB), and
//! twenty of them filled a CI machine's disk. Run a file's tests with
//! `cargo test --test suite <file>::`, e.g. `cargo test --test suite layout::`.

mod cloze;
mod common;

mod accessibility;
mod architecture;
mod bad_configs;
mod batch;
mod browser;
mod classic;
mod cli;
mod engine_props;
mod golden;
mod hardening;
mod language;
mod layout;
mod moodle;
mod notation;
mod page;
mod pdf;
mod teacher;
mod teacher_polish;
mod teacher_term;
mod term2;
mod workflow;
