fn main() -> std::process::ExitCode {
    ferry_worker::cli::main()
}
