use clap::Parser;

fn main() {
    let cli = cwlens::cli::Cli::parse();
    let lang = cli.lang;
    let code = match cwlens::cli::run(cli) {
        Ok(code) => code,
        // A reader such as `head` that stops early is not an error.
        Err(error) if is_broken_pipe(&error) => 0,
        Err(error) => {
            cwlens::cli::print_error(&error, lang);
            cwlens::cli::EXIT_ERROR
        }
    };
    std::process::exit(code);
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
