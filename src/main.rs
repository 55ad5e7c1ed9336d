//! The `backprop-worksheet` command: parse arguments, run, print errors once.

use std::process::ExitCode;

fn main() -> ExitCode {
    backprop_worksheet::cli::main()
}
