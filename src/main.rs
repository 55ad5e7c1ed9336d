//! The `backprop-worksheet` command: parse arguments, run, print errors once.

use std::process::ExitCode;

/// Typst allocates and frees millions of small values a batch: mimalloc does
/// it in fewer instructions than glibc's malloc, and per thread.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    backprop_worksheet::cli::main()
}
