//! backprop-worksheet: printable backpropagation worksheets, student version and
//! answer key, computed exactly from a small YAML config.
//!
//! The pipeline, one module per stage (see `ARCHITECTURE.md`):
//! [`config`] (YAML → checked spec) → [`engine`] (exact answers) → [`answers`]
//! (every blank by id) → [`render`] (minijinja → Typst markup) → [`typeset`]
//! (Typst → PDF/PNG) → [`output`] (files, written atomically). [`generate`] ties
//! them together and [`cli`] is the command line.

pub mod answers;
pub mod batch;
pub mod check;
pub mod cli;
pub mod config;
pub mod engine;
pub mod error;
pub mod generate;
pub mod model;
pub mod nonlinear;
pub mod number;
pub mod output;
pub mod pack;
pub mod randomize;
pub mod render;
pub mod summary;
pub mod typeset;

pub use error::{Error, Result};
