use clap::Parser;

// The import hands documents between threads by the million; glibc's
// allocator spent about a twelfth of the import's CPU time on them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    restore_default_sigpipe();
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

/// Lets a closed pipe end the process quietly, as it does for other Unix
/// tools: Rust ignores SIGPIPE, and `println!` then panics on `| head`.
fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first in main, before any other thread exists, and
    // SIG_DFL is a valid disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
