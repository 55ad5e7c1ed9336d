//! backprop-worksheet: printable backpropagation worksheets, student version and
//! answer key, computed exactly from a small YAML config.
//!
//! The pipeline, one module per stage, each using only the ones before it
//! (`ARCHITECTURE.md` has the module graph, checked by a test): `config`
//! (YAML → checked spec) → `model` (one sheet, every number fixed) → `engine`
//! (exact answers) → `answers` (every blank by id) → `render` (minijinja →
//! Typst markup) → `typeset` (Typst → PDF/PNG) → `output` (files, written
//! atomically). `generate`, `batch` and `check` orchestrate them; `cli` is the
//! command line. Only what the binary and the tests use is public, so unused
//! code shows up as dead.

pub mod answers;
pub mod batch;
mod check;
pub mod cli;
pub mod config;
mod engine;
mod error;
pub mod generate;
mod manifest;
mod model;
pub mod moodle;
mod nonlinear;
pub mod number;
mod output;
mod pack;
pub mod page;
mod randomize;
pub mod render;
mod roster;
pub mod slips;
pub mod summary;
pub mod typeset;

pub use error::{Error, Result};
