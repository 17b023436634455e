//! The demo meeting run on the REAL binary in a real terminal (tmux): start, attendance, the
//! review of last meeting's actions, quick items accepted with one key each, a deep item typed
//! in Japanese, kill -9 in the middle of typing it, restart and resume at the same item with
//! the text still there, a second instance refused, close, and the ledger read back. And a
//! whole session run by keyboard on a projector-sized terminal, counting the keys.
//!
//! tmux is required; set SHINKO_SKIP_TMUX=1 to skip where it cannot be installed.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::process::Command;

use common::tmux::{Tmux, tmux_or_skip};
use common::{shinko, tui_script};
use shinko::domain::{ItemState, Track};
use shinko::store::Store;

/// The shinko process under the pane's shell (found by parent pid, not by name).
fn shinko_pid(t: &Tmux, target: &str) -> u32 {
    let shell = t.pane_pid(target);
    let out = Command::new("pgrep").arg("-P").arg(shell.to_string()).output().expect("pgrep runs");
    String::from_utf8_lossy(&out.stdout).lines().next().and_then(|l| l.trim().parse().ok()).expect("shinko runs")
}

/// The demo in a fresh folder: (folder, database, its next meeting, that meeting's agenda).
fn demo() -> (tempfile::TempDir, std::path::PathBuf, i64, Vec<shinko::domain::AgendaItem>) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    assert!(shinko(dir.path(), &db, &["demo", "--no-tui"]).status.success());
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let s = Store::open(&db, None).unwrap();
    let m = s.meeting_to_run(today).unwrap().expect("the demo plans a next meeting");
    let agenda = s.agenda(m).unwrap();
    (dir, db, m, agenda)
}

/// The TUI on `db` in a tmux server of its own (session `name`, w x h), the meeting started.
fn meeting_started(dir: &std::path::Path, db: &std::path::Path, name: &str, w: u16, h: u16) -> (Tmux, String) {
    let t = Tmux { socket: format!("shinko-{name}-{}", std::process::id()) };
    let script = tui_script(dir, db);
    let out = t.cmd(&["new-session", "-d", "-s", name, "-x", &w.to_string(), "-y", &h.to_string(), &script]);
    assert!(out.status.success(), "tmux new-session: {}", String::from_utf8_lossy(&out.stderr));
    t.wait_text_on(name, "進行管理台帳");
    t.keys_on(name, &["M-3"]);
    t.wait_text_on(name, "Enter で会議を開始します");
    t.keys_on(name, &["Enter"]);
    t.wait_text_on(name, "まず出欠を記録してください");
    (t, script)
}

/// " 済 n/" on the timer line: how many items are done.
fn done_count(screen: &str) -> Option<usize> {
    let rest = screen.split(" 済 ").nth(1)?;
    rest.split('/').next()?.trim().parse().ok()
}

#[test]
fn the_demo_meeting_run_end_to_end_survives_kill_9() {
    if !tmux_or_skip() {
        return;
    }
    let (dir, db, meeting, items) = demo();
    let agenda: Vec<(Track, String)> = {
        let s = Store::open(&db, None).unwrap();
        items.iter().map(|i| (i.track, s.case(i.case_id).unwrap().number)).collect()
    };
    let deep_at = agenda.iter().position(|(t, _)| *t == Track::Deep).expect("a deep item");
    let deep_number = agenda[deep_at].1.clone();
    assert!(agenda[..deep_at].iter().all(|(t, _)| *t == Track::Quick));

    // Open the meeting screen and start the meeting.
    let (t, script) = meeting_started(dir.path(), &db, "j", 120, 35);
    // Attendance: two present (Enter each), the third apologises (Right twice).
    t.keys_on("j", &["Enter"]);
    t.wait_text_on("j", "出欠 1/");
    t.keys_on("j", &["Enter"]);
    t.wait_text_on("j", "出欠 2/");
    t.keys_on("j", &["Right"]);
    t.wait_text_on("j", "出欠 3/");
    t.keys_on("j", &["Right"]);
    t.wait_text_on("j", "欠席 を記録しました");

    // Last meeting's actions: the first done, the second not possible with a note.
    t.keys_on("j", &["Tab"]);
    t.wait_text_on("j", "前回の役割分担 確認 0/");
    t.keys_on("j", &["Enter"]);
    t.wait_text_on("j", "前回の役割分担 確認 1/");
    t.keys_on("j", &["Right", "Right"]);
    t.wait_text_on("j", "実施不可（状況変化）」にしました");
    t.keys_on("j", &["e"]);
    t.wait_text_on("j", "の役割分担の確認");
    // 実施日 goes only with 実施済: Tab passes over it to メモ.
    t.keys_on("j", &["Tab"]);
    t.type_on("j", "転居のため実施できず");
    t.wait_text_on("j", "転居のため実施できず");
    t.keys_on("j", &["F10"]);
    t.wait_text_on("j", "前回の役割分担 確認 2/");

    // The agenda: quick items accepted with ONE key each.
    t.keys_on("j", &["Tab"]);
    t.wait_for_on("j", "the agenda", |s| s.contains(&format!("┌ {} ", agenda[0].1)));
    let mut keys_per_quick = Vec::new();
    for (i, (_, number)) in agenda[..deep_at].iter().enumerate() {
        let before = t.wait_text_on("j", &format!("┌ {number} "));
        assert_eq!(done_count(&before), Some(i), "{before}");
        t.keys_on("j", &["Enter"]);
        keys_per_quick.push(1);
        t.wait_for_on("j", "the next item", |s| done_count(s) == Some(i + 1));
    }
    assert!(keys_per_quick.iter().all(|k| *k == 1));

    // The deep item: its form, Japanese typed through the terminal, then kill -9 mid-way.
    let s = t.wait_text_on("j", &format!("┌ {deep_number} "));
    assert!(s.contains("重点協議"), "{s}");
    t.keys_on("j", &["Enter"]);
    t.wait_text_on("j", &format!("ケース {deep_number} の協議結果"));
    t.keys_on("j", &["Enter"]);
    t.type_on("j", "学校から欠席増加の報告。母は就労で不在がち");
    t.wait_text_on("j", "母は就労で不在がち");
    let pid = shinko_pid(&t, "j");
    assert!(Command::new("kill").arg("-9").arg(pid.to_string()).status().unwrap().success());
    t.wait_text_on("j", "SHINKO_EXIT=137");

    // Restart: the app opens on the meeting (no key needed) at the same item, the form and its text.
    assert!(t.cmd(&["respawn-pane", "-k", "-t", "j", &script]).status.success());
    let s = t.wait_text_on("j", "前回入力中だった内容を復元しました");
    assert!(s.contains("母は就労で不在がち") && s.contains(&format!("ケース {deep_number} の協議結果")), "{s}");

    // A second instance on the same meeting is read-only; the CLI is refused.
    assert!(t.cmd(&["new-window", "-t", "j", "-n", "second", &script]).status.success());
    t.wait_for_on("j:second", "read-only with the reason", |s| s.contains("閲覧のみ") && s.contains("別の shinko"));
    t.keys_on("j:second", &["q"]);
    t.wait_text_on("j:second", "SHINKO_EXIT=0");
    let out = shinko(dir.path(), &db, &["record", "accept", "--meeting", &meeting.to_string(), "--case", &agenda[0].1]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("で進行中のため、議事次第と記録は変更できません"));

    // Finish the deep item: another rank (its proposed review follows), 援助方針, one action, F10.
    // Tab passes over 理由 and 新主担当機関 (they do not apply to 継続): 決定 → 援助方針.
    t.keys_on("j:0", &["Tab", "Left", "Tab", "Tab"]);
    t.keys_on("j:0", &["C-e"]);
    t.type_on("j:0", "児相と情報共有し見守りを強化する");
    t.keys_on("j:0", &["Tab"]);
    t.type_on("j:0", "こども家庭センター／家庭相談員／週1回の家庭訪問／2026/12/15");
    t.wait_text_on("j:0", "週1回の家庭訪問");
    t.keys_on("j:0", &["F10"]);
    t.wait_text_on("j:0", &format!("ケース {deep_number} の協議結果を記録しました"));

    // One more quick item with one key, if there is one after the deep item.
    if let Some((Track::Quick, number)) = agenda.get(deep_at + 1) {
        let s = t.wait_text_on("j:0", &format!("┌ {number} "));
        let done = done_count(&s).unwrap();
        t.keys_on("j:0", &["Enter"]);
        t.wait_for_on("j:0", "accepted", |s| done_count(s) == Some(done + 1));
    }

    // Close: F12 twice; the ledger is updated.
    t.keys_on("j:0", &["F12"]);
    t.wait_text_on("j:0", "もう一度 F12 で確定");
    t.keys_on("j:0", &["F12"]);
    t.wait_text_on("j:0", "会議を終了しました");
    t.keys_on("j:0", &["q"]);
    t.wait_text_on("j:0", "SHINKO_EXIT=0");

    let shown = shinko(dir.path(), &db, &["ledger", "show", &deep_number, "--format", "json"]);
    assert!(shown.status.success());
    let v: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    let policy = v["case"]["support_policy"].as_str().unwrap();
    assert!(policy.ends_with("児相と情報共有し見守りを強化する"), "{policy}");
    let last = v["decisions"].as_array().unwrap().last().unwrap();
    assert!(last["status_summary"].as_str().unwrap().contains("学校から欠席増加の報告。母は就労で不在がち"));
    assert!(v["actions"].as_array().unwrap().iter().any(|a| a["what"] == "週1回の家庭訪問"), "{v}");
    let list = shinko(dir.path(), &db, &["ledger", "list", "--format", "json"]);
    assert!(list.status.success());
    let rows: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let row = rows.as_array().unwrap().iter().find(|r| r["number"] == deep_number.as_str()).unwrap();
    assert_eq!(row["next_review"], last["next_review"]);
    let s = Store::open(&db, None).unwrap();
    assert!(s.agenda(meeting).unwrap().iter().all(|i| i.state != ItemState::Pending));
    assert_eq!(s.integrity_check().unwrap(), "ok");
    assert!(s.audit_verify().unwrap().is_ok());
}

/// The first session of the demo meeting, every item by keyboard at 100x30 (a projector):
/// quick items with Enter, deep items with Enter, the 状況 typed in Japanese and F10; the first
/// continuing deep item also gets a 役割分担 line whose agency is typed as a short form. The
/// walk stops at the session's end and says what comes next. Prints the keys per item.
#[test]
fn a_whole_session_by_keyboard_on_a_projector() {
    if !tmux_or_skip() {
        return;
    }
    let (dir, db, meeting, agenda) = demo();
    let (session, agencies_before) = {
        let s = Store::open(&db, None).unwrap();
        let first = agenda[0].session_id;
        let session: Vec<(Track, String, bool)> = agenda
            .iter()
            .filter(|i| i.session_id == first)
            .map(|i| (i.track, s.case(i.case_id).unwrap().number, i.draft.close_reason.is_some()))
            .collect();
        (session, s.agencies().unwrap().len())
    };
    assert!(session.iter().filter(|(t, ..)| *t == Track::Deep).count() >= 3, "{session:?}");

    let (t, _) = meeting_started(dir.path(), &db, "p", 100, 30);
    t.keys_on("p", &["Tab"]);
    t.wait_text_on("p", "前回の役割分担 確認 0/");
    t.keys_on("p", &["Tab"]);

    let (mut quick_keys, mut deep_keys) = (Vec::new(), Vec::new());
    let mut roles_typed = false;
    for (i, (track, number, closing)) in session.iter().enumerate() {
        let s = t.wait_text_on("p", &format!("┌ {number} "));
        assert_eq!(done_count(&s), Some(i), "{s}");
        if *track == Track::Quick {
            t.keys_on("p", &["Enter"]);
            quick_keys.push(1);
        } else {
            t.keys_on("p", &["Enter"]);
            t.wait_text_on("p", &format!("ケース {number} の協議結果"));
            let said = format!("学校から{}件目の報告。登校は安定", i + 1);
            t.type_on("p", &said);
            t.wait_text_on("p", &said);
            let mut keys = 2;
            if !closing && !roles_typed {
                // 状況 → 評価 → 決定 → (理由, 新主担当機関 pass) 援助方針 → 役割分担.
                t.keys_on("p", &["Tab", "Tab", "Tab", "Tab"]);
                t.type_on("p", "保健セ／");
                t.wait_text_on("p", "保健センター（母子保健）／");
                t.type_on("p", "地区担当保健師／家庭訪問で様子を確認／1/15");
                t.wait_text_on("p", "地区担当保健師");
                keys += 4;
                roles_typed = true;
            }
            t.keys_on("p", &["F10"]);
            t.wait_text_on("p", &format!("ケース {number} の協議結果を記録しました"));
            deep_keys.push(keys);
        }
        if i + 1 < session.len() {
            t.wait_for_on("p", "the next item", |s| done_count(s) == Some(i + 1));
        }
    }
    let end = t.wait_text_on("p", "の議題はすべて終わりました。次は");
    assert_eq!(done_count(&end), Some(session.len()), "{end}");
    assert!(roles_typed, "a continuing deep item in the first session");
    eprintln!(
        "first session: {} quick items at {:?} key(s) each, {} deep items at {:?} keys each besides the text",
        quick_keys.len(),
        quick_keys,
        deep_keys.len(),
        deep_keys
    );
    // Leaving while the meeting runs asks first.
    t.keys_on("p", &["q"]);
    t.wait_text_on("p", "会議の進行中です。もう一度押すと終了します");
    t.keys_on("p", &["q"]);
    t.wait_text_on("p", "SHINKO_EXIT=0");

    let s = Store::open(&db, None).unwrap();
    let agenda = s.agenda(meeting).unwrap();
    let first = agenda[0].session_id;
    assert!(agenda.iter().filter(|i| i.session_id == first).all(|i| i.state == ItemState::Done));
    assert!(agenda.iter().filter(|i| i.session_id != first).all(|i| i.state == ItemState::Pending));
    let health = s.agencies().unwrap().into_iter().find(|a| a.name == "保健センター（母子保健）").unwrap();
    let actions = s.actions_of_meeting(meeting).unwrap();
    assert!(actions.iter().any(|a| a.what == "家庭訪問で様子を確認" && a.agency_id == Some(health.id)), "{actions:?}");
    assert_eq!(s.agencies().unwrap().len(), agencies_before, "no agency was made up from what was typed");
}
