//! Keys → named [`Command`]s per [`Mode`]. Defaults come from the embedded `keymap.toml`; a
//! user file in the same format replaces the keys of the actions it names. The footer and the
//! help screen are generated from this table, so what is shown is what works.

use std::collections::BTreeMap;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The defaults, embedded so the binary always has a complete keymap.
pub const DEFAULT_KEYMAP: &str = include_str!("keymap.toml");

/// Where keys are looked up: the focused part of the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    /// Works everywhere (checked after the current mode).
    Global,
    Ledger,
    Detail,
    Search,
    Filter,
    Form,
    FormText,
    Help,
    Prep,
    Meeting,
    Stats,
}

impl Mode {
    pub const ALL: [Mode; 11] = [
        Mode::Global,
        Mode::Ledger,
        Mode::Detail,
        Mode::Search,
        Mode::Filter,
        Mode::Form,
        Mode::FormText,
        Mode::Help,
        Mode::Prep,
        Mode::Meeting,
        Mode::Stats,
    ];

    fn section(self) -> &'static str {
        match self {
            Mode::Global => "global",
            Mode::Ledger => "ledger",
            Mode::Detail => "detail",
            Mode::Search => "search",
            Mode::Filter => "filter",
            Mode::Form => "form",
            Mode::FormText => "form_text",
            Mode::Help => "help",
            Mode::Prep => "prep",
            Mode::Meeting => "meeting",
            Mode::Stats => "stats",
        }
    }

    /// Screen keys act here (not while typing, in a form or in help).
    pub fn switches_screens(self) -> bool {
        matches!(self, Mode::Ledger | Mode::Detail | Mode::Prep | Mode::Meeting | Mode::Stats)
    }

    /// 画面の名前 (help headings).
    pub fn label(self) -> &'static str {
        match self {
            Mode::Global => "どこでも",
            Mode::Ledger => "台帳の一覧",
            Mode::Detail => "ケースの詳細",
            Mode::Search => "検索欄",
            Mode::Filter => "絞り込み",
            Mode::Form => "入力画面",
            Mode::FormText => "入力画面（複数行の欄）",
            Mode::Help => "ヘルプ",
            Mode::Prep => "会議準備",
            Mode::Meeting => "会議進行",
            Mode::Stats => "年度統計",
        }
    }
}

macro_rules! actions {
    ($($variant:ident = $name:literal, $desc:literal;)*) => {
        /// Everything a key can do. The name is what `keymap.toml` uses.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Command { $($variant,)* }

        impl Command {
            pub const ALL: &'static [Command] = &[$(Command::$variant,)*];

            pub fn name(self) -> &'static str {
                match self { $(Command::$variant => $name,)* }
            }

            /// Japanese description for the footer and help.
            pub fn describe(self) -> &'static str {
                match self { $(Command::$variant => $desc,)* }
            }

            pub fn from_name(s: &str) -> Option<Command> {
                Self::ALL.iter().copied().find(|a| a.name() == s)
            }
        }
    };
}

actions! {
    Help = "help", "ヘルプ";
    ForceQuit = "force_quit", "強制終了";
    Quit = "quit", "終了";
    Up = "up", "上へ";
    Down = "down", "下へ";
    PageUp = "page_up", "前のページ";
    PageDown = "page_down", "次のページ";
    First = "first", "先頭";
    Last = "last", "末尾";
    Open = "open", "詳細";
    Search = "search", "検索";
    NewCase = "new_case", "新規登録";
    EditCase = "edit_case", "編集";
    CloseCase = "close_case", "終結";
    AddContact = "add_contact", "経過記録";
    RecordBirth = "record_birth", "出生の記録";
    UrgentReport = "urgent_report", "随時報告";
    Filter = "filter", "絞り込み";
    ToggleOverdue = "toggle_overdue", "期限超過のみ";
    Sort = "sort", "並び替え";
    FocusNext = "focus_next", "一覧/詳細の切替";
    Back = "back", "戻る";
    Confirm = "confirm", "検索を確定";
    Clear = "clear", "検索を消す";
    PrevValue = "prev_value", "前の値";
    NextValue = "next_value", "次の値";
    Reset = "reset", "解除";
    NextField = "next_field", "次の欄";
    PrevField = "prev_field", "前の欄";
    Save = "save", "保存";
    Cancel = "cancel", "取消";
    NextScreen = "next_screen", "次の画面";
    ScreenLedger = "screen_ledger", "台帳へ";
    ScreenPrep = "screen_prep", "会議準備へ";
    ScreenMeeting = "screen_meeting", "会議進行へ";
    ScreenStats = "screen_stats", "年度統計へ";
    MeetingAccept = "meeting_accept", "承認・記録";
    MeetingEdit = "meeting_edit", "記録を開く";
    MeetingNextPhase = "meeting_next_phase", "次の段階";
    MeetingPrevPhase = "meeting_prev_phase", "前の段階";
    MeetingToDeep = "meeting_to_deep", "重点協議へ";
    MeetingDefer = "meeting_defer", "次回へ延期";
    MeetingRevisit = "meeting_revisit", "再協議";
    MeetingReplan = "meeting_replan", "残りを再計画";
    MeetingUndo = "meeting_undo", "再計画を元に戻す";
    MeetingPresent = "meeting_present", "投影モード";
    Present = "present", "投影モード";
    MeetingClose = "meeting_close", "会議を終了";
    PrevYear = "prev_year", "前年度";
    NextYear = "next_year", "翌年度";
    OtherColumn = "other_column", "一括/重点の列";
    OtherTrack = "other_track", "もう一方の区分へ";
    PrevSession = "prev_session", "前の日程へ";
    NextSession = "next_session", "次の日程へ";
    MoveUp = "move_up", "順番を上へ";
    MoveDown = "move_down", "順番を下へ";
    Lock = "lock", "固定/解除";
    EditDraft = "edit_draft", "事務局案";
    AskAgency = "ask_agency", "機関への質問";
    Rebuild = "rebuild", "作り直す";
    AcceptCapacity = "accept_capacity", "収まる案を適用";
    ExportPackets = "export_packets", "事前送付資料";
    NextMeeting = "next_meeting", "会議の切替";
}

/// One key with modifiers, as written in the keymap ("Ctrl+f", "F2", "?").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    /// Normalises a crossterm key: SHIFT is implied by the character itself.
    pub fn from_event(k: &KeyEvent) -> Key {
        let mut mods = k.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        if matches!(k.code, KeyCode::Char(_) | KeyCode::BackTab) {
            mods.remove(KeyModifiers::SHIFT);
        }
        let code = match k.code {
            KeyCode::Char(c) if mods.contains(KeyModifiers::CONTROL) => KeyCode::Char(c.to_ascii_lowercase()),
            c => c,
        };
        Key { code, mods }
    }

    pub fn parse(s: &str) -> Result<Key, String> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = s;
        loop {
            if let Some(r) = rest.strip_prefix("Ctrl+") {
                mods |= KeyModifiers::CONTROL;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("Alt+") {
                mods |= KeyModifiers::ALT;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("Shift+") {
                mods |= KeyModifiers::SHIFT;
                rest = r;
            } else {
                break;
            }
        }
        let code = match rest {
            "Enter" => KeyCode::Enter,
            "Esc" => KeyCode::Esc,
            "Tab" => KeyCode::Tab,
            "BackTab" => KeyCode::BackTab,
            "Up" => KeyCode::Up,
            "Down" => KeyCode::Down,
            "Left" => KeyCode::Left,
            "Right" => KeyCode::Right,
            "PageUp" => KeyCode::PageUp,
            "PageDown" => KeyCode::PageDown,
            "Home" => KeyCode::Home,
            "End" => KeyCode::End,
            "Delete" => KeyCode::Delete,
            "Backspace" => KeyCode::Backspace,
            "Space" => KeyCode::Char(' '),
            f if f.len() > 1 && f.starts_with('F') && f[1..].parse::<u8>().is_ok_and(|n| (1..=24).contains(&n)) => {
                KeyCode::F(f[1..].parse().unwrap_or(1))
            }
            c if c.chars().count() == 1 => {
                let ch = c.chars().next().unwrap_or(' ');
                KeyCode::Char(if mods.contains(KeyModifiers::CONTROL) { ch.to_ascii_lowercase() } else { ch })
            }
            _ => return Err(format!("キー「{s}」は読めません")),
        };
        if matches!(code, KeyCode::Char(_)) {
            mods.remove(KeyModifiers::SHIFT);
        }
        Ok(Key { code, mods })
    }

    /// Short label for the footer. ASCII names, not arrow symbols: ← → are East Asian
    /// Ambiguous width and drift the line on Japanese terminals.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Up => "Up".to_string(),
            KeyCode::Down => "Down".to_string(),
            KeyCode::Left => "Left".to_string(),
            KeyCode::Right => "Right".to_string(),
            KeyCode::Enter => "Enter".to_string(),
            KeyCode::Esc => "Esc".to_string(),
            KeyCode::Tab => "Tab".to_string(),
            KeyCode::BackTab => "Shift+Tab".to_string(),
            KeyCode::PageUp => "PgUp".to_string(),
            KeyCode::PageDown => "PgDn".to_string(),
            KeyCode::Home => "Home".to_string(),
            KeyCode::End => "End".to_string(),
            KeyCode::Delete => "Del".to_string(),
            KeyCode::Backspace => "BS".to_string(),
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            other => format!("{other:?}"),
        };
        let mut out = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            out.push_str("Ctrl+");
        }
        if self.mods.contains(KeyModifiers::ALT) {
            out.push_str("Alt+");
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            out.push_str("Shift+");
        }
        out + &base
    }
}

/// One mode's bindings in display order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bindings {
    pub entries: Vec<Binding>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Keymap {
    modes: BTreeMap<Mode, Bindings>,
}

type RawKeymap = BTreeMap<String, toml::Table>;

/// One action's keys.
pub type Binding = (Command, Vec<Key>);

fn parse_raw(text: &str, origin: &str) -> Result<Vec<(Mode, Vec<Binding>)>, String> {
    let raw: RawKeymap = toml::from_str(text).map_err(|e| format!("{origin}: {e}"))?;
    let mut out = Vec::new();
    for (section, table) in raw {
        let mode = Mode::ALL
            .into_iter()
            .find(|m| m.section() == section)
            .ok_or_else(|| format!("{origin}: [{section}] という画面はありません"))?;
        let mut entries = Vec::new();
        for (name, keys) in table {
            let action = Command::from_name(&name)
                .ok_or_else(|| format!("{origin}: [{section}] {name} という動作はありません"))?;
            let list =
                keys.as_array().ok_or_else(|| format!("{origin}: [{section}] {name} はキーの配列で書いてください"))?;
            let mut parsed = Vec::new();
            for k in list {
                let s =
                    k.as_str().ok_or_else(|| format!("{origin}: [{section}] {name} のキーは文字列で書いてください"))?;
                parsed.push(Key::parse(s).map_err(|e| format!("{origin}: [{section}] {name}: {e}"))?);
            }
            entries.push((action, parsed));
        }
        out.push((mode, entries));
    }
    Ok(out)
}

impl Keymap {
    pub fn defaults() -> Keymap {
        Self::with_overrides(None).expect("the embedded keymap is valid")
    }

    /// The defaults with a user file's bindings replacing those of the actions it names.
    pub fn with_overrides(user: Option<(&str, &str)>) -> Result<Keymap, String> {
        let mut modes: BTreeMap<Mode, Bindings> = BTreeMap::new();
        // toml keeps each table in file order (`preserve_order`): that is the display order.
        for (mode, entries) in parse_raw(DEFAULT_KEYMAP, "既定のキー割り当て")? {
            modes.insert(mode, Bindings { entries });
        }
        if let Some((text, origin)) = user {
            for (mode, entries) in parse_raw(text, origin)? {
                let b = modes.entry(mode).or_default();
                for (action, keys) in entries {
                    match b.entries.iter_mut().find(|(a, _)| *a == action) {
                        Some(e) => e.1 = keys,
                        None => b.entries.push((action, keys)),
                    }
                }
            }
        }
        Ok(Keymap { modes })
    }

    /// The action a key does in `mode`, falling back to the global bindings.
    pub fn action(&self, mode: Mode, key: &KeyEvent) -> Option<Command> {
        let k = Key::from_event(key);
        let find = |m: Mode| {
            self.modes.get(&m).and_then(|b| b.entries.iter().find(|(_, keys)| keys.contains(&k)).map(|(a, _)| *a))
        };
        find(mode).or_else(|| find(Mode::Global))
    }

    pub fn bindings(&self, mode: Mode) -> &[Binding] {
        self.modes.get(&mode).map(|b| b.entries.as_slice()).unwrap_or(&[])
    }

    /// Hints for the footer: each action's first key. Up and Down show as one "Up/Down 移動";
    /// paging and first/last are left to the help screen to keep the footer short.
    pub fn hints(&self, mode: Mode) -> Vec<(String, &'static str)> {
        let all: Vec<_> = self.bindings(mode).iter().chain(self.bindings(Mode::Global).iter()).collect();
        let first = |a: Command| all.iter().find(|(x, k)| *x == a && !k.is_empty()).map(|(_, k)| k[0].label());
        let mut out = Vec::new();
        if let (Some(u), Some(d)) = (first(Command::Up), first(Command::Down)) {
            out.push((format!("{u}/{d}"), "移動"));
        }
        for (a, keys) in &all {
            let skip = matches!(
                a,
                Command::Up
                    | Command::Down
                    | Command::PageUp
                    | Command::PageDown
                    | Command::First
                    | Command::Last
                    | Command::ScreenLedger
                    | Command::ScreenPrep
                    | Command::ScreenMeeting
                    | Command::ScreenStats
            ) || (*a == Command::NextScreen && !mode.switches_screens());
            if skip || keys.is_empty() {
                continue;
            }
            let label = keys[0].label();
            // An action bound in the mode and globally (help: ? and F1) shows once, both keys.
            match out.iter_mut().find(|(_, d)| *d == a.describe()) {
                Some((k, _)) => *k = format!("{k}/{label}"),
                None => out.push((label, a.describe())),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn defaults_cover_arrows_function_keys_and_vim_extras() {
        let km = Keymap::defaults();
        assert_eq!(km.action(Mode::Ledger, &ev(KeyCode::Down, KeyModifiers::NONE)), Some(Command::Down));
        assert_eq!(km.action(Mode::Ledger, &ev(KeyCode::Char('j'), KeyModifiers::NONE)), Some(Command::Down));
        assert_eq!(km.action(Mode::Ledger, &ev(KeyCode::F(1), KeyModifiers::NONE)), Some(Command::Help));
        assert_eq!(km.action(Mode::Ledger, &ev(KeyCode::Char('?'), KeyModifiers::SHIFT)), Some(Command::Help));
        assert_eq!(km.action(Mode::Search, &ev(KeyCode::Char('?'), KeyModifiers::SHIFT)), None, "typed as text");
        assert_eq!(km.action(Mode::Form, &ev(KeyCode::Char('C'), KeyModifiers::CONTROL)), Some(Command::ForceQuit));
        assert_eq!(km.action(Mode::Ledger, &ev(KeyCode::Char('G'), KeyModifiers::SHIFT)), Some(Command::Last));
    }

    #[test]
    fn user_file_replaces_named_actions_only() {
        let km = Keymap::with_overrides(Some(("[ledger]\nnew_case = [\"F9\"]\n", "keys.toml"))).unwrap();
        assert_eq!(km.action(Mode::Ledger, &ev(KeyCode::F(9), KeyModifiers::NONE)), Some(Command::NewCase));
        assert_eq!(km.action(Mode::Ledger, &ev(KeyCode::F(2), KeyModifiers::NONE)), None);
        assert_eq!(km.action(Mode::Ledger, &ev(KeyCode::Up, KeyModifiers::NONE)), Some(Command::Up));
        let err = Keymap::with_overrides(Some(("[ledger]\nfly = [\"x\"]\n", "keys.toml"))).unwrap_err();
        assert!(err.contains("fly という動作はありません"), "{err}");
        let err = Keymap::with_overrides(Some(("[ledger]\nup = [\"Hyper+x\"]\n", "keys.toml"))).unwrap_err();
        assert!(err.contains("読めません"), "{err}");
    }

    #[test]
    fn footer_hints_follow_the_file_order() {
        let km = Keymap::defaults();
        let hints = km.hints(Mode::Ledger);
        assert_eq!(hints[0], ("Up/Down".to_string(), "移動"));
        assert!(hints.iter().any(|(k, d)| k == "F2" && *d == "新規登録"));
        assert_eq!(hints.last().unwrap().1, "強制終了");
    }

    #[test]
    fn no_key_does_two_things_in_one_mode() {
        let km = Keymap::defaults();
        for mode in Mode::ALL {
            let mut seen: std::collections::HashMap<Key, Command> = std::collections::HashMap::new();
            for (action, keys) in km.bindings(mode) {
                for k in keys {
                    if let Some(other) = seen.insert(*k, *action) {
                        assert_eq!(other, *action, "{mode:?}: {k:?} is bound to {other:?} and {action:?}");
                    }
                }
            }
        }
    }
}
