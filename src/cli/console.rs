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

/// A JSON array written to standard output one element at a time, exactly as
/// `serde_json::to_string_pretty` writes the whole array: a listing of 100,000 entries is
/// never held in memory at once.
pub(crate) struct JsonArray {
    empty: bool,
}

impl JsonArray {
    pub fn new() -> Self {
        JsonArray { empty: true }
    }

    pub fn push<T: serde::Serialize>(&mut self, v: &T) -> serde_json::Result<()> {
        let s = self.piece(v)?;
        write_out(format_args!("{s}"));
        Ok(())
    }

    pub fn finish(self) {
        write_out(format_args!("{}", self.end()));
    }

    /// The text that adds `v` to the array.
    fn piece<T: serde::Serialize>(&mut self, v: &T) -> serde_json::Result<String> {
        let one = serde_json::to_string_pretty(v)?;
        let mut s = String::with_capacity(one.len() + one.len() / 8 + 4);
        s.push_str(if self.empty { "[\n" } else { ",\n" });
        // Strings are escaped, so every newline is the formatter's: each line moves in one level.
        for (i, line) in one.split('\n').enumerate() {
            if i > 0 {
                s.push('\n');
            }
            s.push_str("  ");
            s.push_str(line);
        }
        self.empty = false;
        Ok(s)
    }

    fn end(&self) -> &'static str {
        if self.empty { "[]\n" } else { "\n]\n" }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    struct Row {
        n: u32,
        list: Vec<&'static str>,
        text: &'static str,
    }

    fn pieces(rows: &[Row]) -> String {
        let mut a = JsonArray::new();
        let mut s: String = rows.iter().map(|r| a.piece(r).unwrap()).collect();
        s += a.end();
        s
    }

    #[test]
    fn a_json_array_written_in_parts_is_the_whole_array() {
        let rows = vec![Row { n: 1, list: vec!["a", "b"], text: "改行\nあり" }, Row { n: 2, list: vec![], text: "" }];
        assert_eq!(pieces(&rows), serde_json::to_string_pretty(&rows).unwrap() + "\n");
        assert_eq!(pieces(&[]), serde_json::to_string_pretty(&Vec::<Row>::new()).unwrap() + "\n");
    }
}
