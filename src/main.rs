fn main() -> std::process::ExitCode {
    raudit::cli::main()
}
