//! Journeys on the real binary in a real terminal: a tmux server of our own, driven by keys
//! and read by polling the screen (never fixed sleeps).

use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A tmux server of our own (its own socket), killed when the test ends.
pub struct Tmux {
    pub socket: String,
}

impl Tmux {
    pub fn cmd(&self, args: &[&str]) -> Output {
        Command::new("tmux").arg("-L").arg(&self.socket).args(args).output().expect("tmux runs")
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "j"];
        args.extend_from_slice(keys);
        assert!(self.cmd(&args).status.success(), "send-keys {keys:?}");
    }

    /// Types text literally (Japanese included), as an IME would commit it.
    pub fn type_text(&self, text: &str) {
        assert!(self.cmd(&["send-keys", "-t", "j", "-l", text]).status.success());
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", "j"]).stdout).into_owned()
    }

    pub fn display(&self, format: &str) -> String {
        String::from_utf8_lossy(&self.cmd(&["display-message", "-p", "-t", "j", format]).stdout).trim().to_string()
    }

    /// Polls the screen until `pred` holds; no fixed sleeps. Fails with the last screen.
    pub fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if pred(&s) {
                return s;
            }
            if start.elapsed() > Duration::from_secs(30) {
                panic!("timed out waiting for {what}; the screen was:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn wait_text(&self, text: &str) -> String {
        self.wait_for(text, |s| s.contains(text))
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").arg("-L").arg(&self.socket).arg("kill-server").output();
    }
}

pub fn tmux_available() -> bool {
    Command::new("tmux").arg("-V").output().is_ok_and(|o| o.status.success())
}

/// Whether a journey can run: tmux is there, or the test is skipped with SHINKO_SKIP_TMUX=1.
pub fn tmux_or_skip() -> bool {
    if tmux_available() {
        return true;
    }
    if std::env::var("SHINKO_SKIP_TMUX").as_deref() == Ok("1") {
        eprintln!("tmux がないため SHINKO_SKIP_TMUX=1 によりスキップしました");
        return false;
    }
    panic!(
        "このテストには tmux が必要です（apt-get install tmux）。使えない環境では SHINKO_SKIP_TMUX=1 を設定してください"
    );
}
