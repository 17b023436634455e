fn main() {
    // `shinko ledger list | head` must end quietly, not panic on a closed pipe.
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        // Children's data: every file this process creates (database, WAL, logs, outputs) is
        // owner-only, whatever the user's umask.
        libc::umask(0o077);
    }
    // color-eyre first: ratatui's panic hook restores the terminal and then chains to it.
    let _ = color_eyre::config::HookBuilder::default().display_env_section(false).install();
    let cli = shinko::cli::parse_args();
    if let Err(e) = shinko::cli::run(cli) {
        // A listing whose reader went away (`| more` closed early) is not an error.
        if let Some(io) = e.chain().find_map(|c| c.downcast_ref::<std::io::Error>()) {
            shinko::cli::end_on_closed_pipe(io);
        }
        eprintln!("エラー: {e:#}");
        std::process::exit(1);
    }
}
