use std::process::ExitCode;

fn main() -> ExitCode {
    storedesk::cli::main()
}
