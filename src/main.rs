use clap::Parser;

fn main() {
    let cli = cwlens::cli::Cli::parse();
    let lang = cli.lang;
    let code = match cwlens::cli::run(cli) {
        Ok(code) => code,
        Err(error) => {
            cwlens::cli::print_error(&error, lang);
            cwlens::cli::EXIT_ERROR
        }
    };
    std::process::exit(code);
}
