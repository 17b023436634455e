//! Standard output for listings. `println!` panics when the reader has gone (`| more` closed
//! early, `| head`); on unix SIGPIPE ends the process first, on Windows there is no SIGPIPE and
//! the user would see a panic with a backtrace. These write the same text and end the process
//! quietly instead.

use std::io::Write;

/// Writes to standard output; a closed pipe ends the process quietly (exit 0).
pub fn write_out(args: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|_| out.flush()) {
        end_on(&e);
        eprintln!("エラー: 標準出力に書けません: {e}");
        std::process::exit(1);
    }
}

/// Ends the process quietly if `e` says the reader of standard output has gone.
pub fn end_on(e: &std::io::Error) {
    if is_closed_pipe(e) {
        std::process::exit(0);
    }
}

/// Whether `e` is a pipe whose reader has gone. Windows says ERROR_BROKEN_PIPE (109),
/// ERROR_NO_DATA (232) or, under wine, ERROR_PIPE_NOT_CONNECTED (233).
pub fn is_closed_pipe(e: &std::io::Error) -> bool {
    let windows_closed = cfg!(windows) && matches!(e.raw_os_error(), Some(109) | Some(232) | Some(233));
    e.kind() == std::io::ErrorKind::BrokenPipe || windows_closed
}

/// `println!` through [`write_out`].
macro_rules! outln {
    () => { $crate::cli::console::write_out(format_args!("\n")) };
    ($($t:tt)*) => { $crate::cli::console::write_out(format_args!("{}\n", format_args!($($t)*))) };
}

/// `print!` through [`write_out`].
macro_rules! out {
    ($($t:tt)*) => { $crate::cli::console::write_out(format_args!($($t)*)) };
}

pub(crate) use {out, outln};
