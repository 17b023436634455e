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
        self.keys_on("j", keys)
    }

    /// Keys to one pane (`"j"`, `"j:second"`) of the server.
    pub fn keys_on(&self, target: &str, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", target];
        args.extend_from_slice(keys);
        assert!(self.cmd(&args).status.success(), "send-keys {keys:?}");
    }

    /// Types text literally (Japanese included), as an IME would commit it.
    pub fn type_text(&self, text: &str) {
        self.type_on("j", text)
    }

    pub fn type_on(&self, target: &str, text: &str) {
        assert!(self.cmd(&["send-keys", "-t", target, "-l", text]).status.success());
    }

    pub fn screen(&self) -> String {
        self.screen_on("j")
    }

    pub fn screen_on(&self, target: &str) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", target]).stdout).into_owned()
    }

    pub fn display(&self, format: &str) -> String {
        String::from_utf8_lossy(&self.cmd(&["display-message", "-p", "-t", "j", format]).stdout).trim().to_string()
    }

    /// The pid of the shell in a pane.
    pub fn pane_pid(&self, target: &str) -> u32 {
        let out = self.cmd(&["display-message", "-p", "-t", target, "#{pane_pid}"]);
        String::from_utf8_lossy(&out.stdout).trim().parse().expect("pane pid")
    }

    /// Polls the screen until `pred` holds; no fixed sleeps. Fails with the last screen.
    pub fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        self.wait_for_on("j", what, pred)
    }

    pub fn wait_for_on(&self, target: &str, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen_on(target);
            if pred(&s) {
                return s;
            }
            if start.elapsed() > Duration::from_secs(30) {
                panic!("timed out waiting for {what}; the screen was:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn wait_text_on(&self, target: &str, text: &str) -> String {
        self.wait_for_on(target, text, |s| s.contains(text))
    }

    pub fn wait_text(&self, text: &str) -> String {
        self.wait_for(text, |s| s.contains(text))
    }

    /// Like [`Tmux::wait_for`], for a console that can lose its place in the escape sequences
    /// under load (wine's): every 10 s without the awaited screen, the window is made one
    /// column narrower and back, so the app redraws everything. Fails after 60 s.
    pub fn wait_redrawing(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        let mut nudged = Instant::now();
        loop {
            let s = self.screen();
            if pred(&s) {
                return s;
            }
            if start.elapsed() > Duration::from_secs(60) {
                panic!("timed out waiting for {what}; the screen was:\n{s}");
            }
            if nudged.elapsed() > Duration::from_secs(10) {
                let w: u16 = self.display("#{window_width}").parse().unwrap_or(160);
                for width in [w - 1, w] {
                    self.cmd(&["resize-window", "-t", "j", "-x", &width.to_string()]);
                    std::thread::sleep(Duration::from_millis(300));
                }
                nudged = Instant::now();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
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
