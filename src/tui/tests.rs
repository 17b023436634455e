//! `update` driven without a terminal, and the screens drawn on ratatui's `TestBackend`
//! (insta snapshots) on the demo municipality.

use chrono::NaiveDate;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

use super::form::Form;
use super::keymap::Keymap;
use super::ledger::{CaseField, LedgerEffect, LedgerFocus};
use super::model::Model;
use super::msg::{Effect, Msg};
use super::runtime::execute;
use super::update::update;
use super::view;
use crate::demo::{self, Scale};
use crate::domain::{CaseStatus, Config, Registration};
use crate::store::Store;

pub(super) fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

/// Runs `msg` through `update` and every resulting effect through the store, like the
/// runtime does; returns the effects in the order they were emitted.
pub(super) fn pump(store: &mut Store, m: &mut Model, msg: Msg) -> Vec<Effect> {
    let mut seen = Vec::new();
    let mut queue = vec![msg];
    while let Some(msg) = queue.pop() {
        for e in update(m, msg) {
            seen.push(e.clone());
            if let Some(reply) = execute(store, e) {
                queue.push(reply);
            }
        }
    }
    seen
}

pub(super) fn demo_at(w: u16, h: u16) -> (Store, Model) {
    let mut store = Store::open_in_memory().unwrap();
    demo::generate(&mut store, Scale::Takahama, 2024, today()).unwrap();
    let mut m = Model::new(Config::default(), today(), Keymap::defaults(), "demo.db".into());
    pump(&mut store, &mut m, Msg::Resize(w, h));
    let loaded = execute(&mut store, Effect::Ledger(LedgerEffect::Load { select: None })).unwrap();
    pump(&mut store, &mut m, loaded);
    (store, m)
}

/// The ledger's open form.
fn ledger_form(m: &Model) -> Option<&Form<CaseField>> {
    m.ledger.form.as_ref().map(|f| &f.form)
}

pub(super) fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

pub(super) fn typ(store: &mut Store, m: &mut Model, text: &str) {
    for c in text.chars() {
        pump(store, m, key(KeyCode::Char(c)));
    }
}

fn visible_names(m: &Model) -> Vec<String> {
    m.ledger.visible.iter().map(|&i| m.ledger.rows[i].name.clone()).collect()
}

/// The buffer as text, skipping the cells wide characters cover, so Japanese reads cleanly.
pub fn buffer_text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        let mut skip = 0;
        for x in 0..buf.area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            line.push_str(sym);
            skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

pub(super) fn draw(m: &Model) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(m.size.0, m.size.1)).unwrap();
    t.draw(|f| view::render(m, f)).unwrap();
    t
}

pub(super) fn screen(m: &Model) -> String {
    buffer_text(draw(m).backend().buffer())
}

#[test]
fn kana_search_matches_hiragana_katakana_and_half_width() {
    let (mut s, mut m) = demo_at(80, 24);
    let all = m.ledger.visible.len();
    pump(&mut s, &mut m, key(KeyCode::Char('/')));
    assert_eq!(m.ledger.focus, LedgerFocus::Search);
    typ(&mut s, &mut m, "やまだ");
    let hira = visible_names(&m);
    assert!(!hira.is_empty() && hira.len() < all, "{hira:?}");
    assert!(hira.iter().all(|n| n.starts_with("山田")), "{hira:?}");
    // Esc clears the query; katakana and half-width find the same rows.
    pump(&mut s, &mut m, key(KeyCode::Esc));
    assert_eq!(m.ledger.visible.len(), all);
    for q in ["ヤマダ", "ﾔﾏﾀﾞ"] {
        pump(&mut s, &mut m, key(KeyCode::F(3)));
        typ(&mut s, &mut m, q);
        assert_eq!(visible_names(&m), hira, "{q}");
        pump(&mut s, &mut m, key(KeyCode::Esc));
    }
    // A case number finds exactly that case.
    let number = m.ledger.rows[5].number.clone();
    pump(&mut s, &mut m, key(KeyCode::Char('/')));
    typ(&mut s, &mut m, &number.to_lowercase());
    assert_eq!(m.ledger.visible.len(), 1);
    assert_eq!(m.ledger.selected_row().unwrap().number, number);
}

#[test]
fn typing_in_search_does_not_trigger_ledger_keys() {
    let (mut s, mut m) = demo_at(80, 24);
    pump(&mut s, &mut m, key(KeyCode::Char('/')));
    typ(&mut s, &mut m, "qjn?");
    assert_eq!(m.ledger.search.value(), "qjn?");
    assert!(!m.quit && ledger_form(&m).is_none() && m.help.is_none());
}

#[test]
fn filters_narrow_the_rows_and_reset() {
    let (mut s, mut m) = demo_at(80, 24);
    let all = m.ledger.visible.len();
    pump(&mut s, &mut m, key(KeyCode::Char('o')));
    let overdue = m.ledger.visible.len();
    assert!(overdue > 0 && overdue < all);
    assert!(m.ledger.visible.iter().all(|&i| m.ledger.rows[i].next_review.unwrap() < today()));
    pump(&mut s, &mut m, key(KeyCode::Char('o')));
    // The filter panel: 登録区分 → 要保護児童.
    pump(&mut s, &mut m, key(KeyCode::F(7)));
    assert_eq!(m.ledger.focus, LedgerFocus::Filter);
    pump(&mut s, &mut m, key(KeyCode::Right));
    assert_eq!(m.ledger.filter.registration, Some(Registration::NeedsProtection));
    assert!(m.ledger.visible.iter().all(|&i| m.ledger.rows[i].registration == Registration::NeedsProtection));
    // ランク → A.
    pump(&mut s, &mut m, key(KeyCode::Down));
    pump(&mut s, &mut m, key(KeyCode::Right));
    assert_eq!(m.ledger.filter.rank.as_deref(), Some("A"));
    assert!(m.ledger.visible.iter().all(|&i| m.ledger.rows[i].rank == "A"));
    // 所属機関: the first agency used as an affiliation.
    pump(&mut s, &mut m, key(KeyCode::Delete));
    pump(&mut s, &mut m, key(KeyCode::Down));
    pump(&mut s, &mut m, key(KeyCode::Down));
    pump(&mut s, &mut m, key(KeyCode::Right));
    let aff = m.ledger.filter.affiliation.expect("an affiliation chosen");
    assert!(!m.ledger.visible.is_empty());
    assert!(m.ledger.visible.iter().all(|&i| m.ledger.rows[i].affiliation == Some(aff)));
    // 目視確認なし: children seen by nobody within the configured days.
    pump(&mut s, &mut m, key(KeyCode::Delete));
    pump(&mut s, &mut m, key(KeyCode::Down));
    pump(&mut s, &mut m, key(KeyCode::Down));
    pump(&mut s, &mut m, key(KeyCode::Char(' ')));
    assert!(m.ledger.filter.unseen);
    let cutoff = crate::domain::contact::seen_cutoff(today(), m.config.triage.unseen_days);
    assert!(m.ledger.visible.iter().all(|&i| m.ledger.rows[i].last_seen.is_none_or(|d| d < cutoff)));
    assert!(m.ledger.visible.iter().all(|&i| m.ledger.rows[i].registration != Registration::ExpectantMother));
    pump(&mut s, &mut m, key(KeyCode::Char(' ')));
    // 要確認: only the cases a monthly report raised an alert on (the demo has one).
    pump(&mut s, &mut m, key(KeyCode::Down));
    pump(&mut s, &mut m, key(KeyCode::Char(' ')));
    assert!(m.ledger.filter.needs_check);
    assert_eq!(m.ledger.visible.len(), 1);
    assert!(m.ledger.visible.iter().all(|&i| m.ledger.rows[i].alerts > 0));
    pump(&mut s, &mut m, key(KeyCode::Char(' ')));
    // 終結も表示 shows the closed cases as well.
    pump(&mut s, &mut m, key(KeyCode::Down));
    pump(&mut s, &mut m, key(KeyCode::Char(' ')));
    assert!(m.ledger.filter.include_closed);
    assert_eq!(m.ledger.visible.len(), m.ledger.rows.len());
    pump(&mut s, &mut m, key(KeyCode::Esc));
    assert_eq!(m.ledger.focus, LedgerFocus::Table);
}

#[test]
fn sort_by_next_review_orders_the_rows() {
    let (mut s, mut m) = demo_at(80, 24);
    pump(&mut s, &mut m, key(KeyCode::F(6)));
    pump(&mut s, &mut m, key(KeyCode::F(6)));
    assert_eq!(m.ledger.sort.label(), "次回確認日順");
    let dates: Vec<_> = m.ledger.visible.iter().map(|&i| m.ledger.rows[i].next_review).collect();
    let mut sorted = dates.clone();
    sorted.sort_by_key(|d| (d.is_none(), *d));
    assert_eq!(dates, sorted);
}

#[test]
fn navigation_moves_the_window_and_loads_the_detail() {
    let (mut s, mut m) = demo_at(80, 24);
    let first = m.ledger.selected_id().unwrap();
    assert_eq!(m.ledger.detail.as_ref().unwrap().case.id, first);
    let e = pump(&mut s, &mut m, key(KeyCode::Down));
    let second = m.ledger.selected_id().unwrap();
    assert_eq!(e, vec![Effect::Ledger(LedgerEffect::LoadDetail(second))]);
    assert_eq!(m.ledger.detail.as_ref().unwrap().case.id, second);
    pump(&mut s, &mut m, key(KeyCode::Char('j')));
    assert_eq!(m.ledger.selected, 2);
    pump(&mut s, &mut m, key(KeyCode::Up));
    assert_eq!(m.ledger.selected, 1);
    let rows = super::layout::table_rows(super::ledger::areas(&m.ledger, super::layout::frame(m.size).body).table);
    assert_eq!(rows, 17, "80x24 leaves 17 table rows");
    pump(&mut s, &mut m, key(KeyCode::PageDown));
    assert_eq!(m.ledger.selected, 1 + rows);
    assert!(m.ledger.offset <= m.ledger.selected && m.ledger.selected < m.ledger.offset + rows);
    pump(&mut s, &mut m, key(KeyCode::End));
    assert_eq!(m.ledger.selected, m.ledger.visible.len() - 1);
    assert_eq!(m.ledger.offset, m.ledger.visible.len() - rows);
    pump(&mut s, &mut m, key(KeyCode::Home));
    assert_eq!((m.ledger.selected, m.ledger.offset), (0, 0));
    // Enter opens the detail, Esc returns to the table.
    pump(&mut s, &mut m, key(KeyCode::Enter));
    assert_eq!(m.ledger.focus, LedgerFocus::Detail);
    pump(&mut s, &mut m, key(KeyCode::Esc));
    assert_eq!(m.ledger.focus, LedgerFocus::Table);
    // Key releases (Windows) do nothing.
    let mut release = KeyEvent::new(KeyCode::Down, KeyModifiers::NONE);
    release.kind = KeyEventKind::Release;
    assert!(pump(&mut s, &mut m, Msg::Key(release)).is_empty());
    assert_eq!(m.ledger.selected, 0);
}

#[test]
fn a_click_selects_the_row_under_the_mouse() {
    let (mut s, mut m) = demo_at(80, 24);
    // Header line, search line, table border, column header: the 4th data row is at y = 7.
    let click =
        MouseEvent { kind: MouseEventKind::Down(MouseButton::Left), column: 10, row: 7, modifiers: KeyModifiers::NONE };
    pump(&mut s, &mut m, Msg::Mouse(click));
    assert_eq!(m.ledger.selected, 3);
    assert_eq!(m.ledger.detail.as_ref().unwrap().case.id, m.ledger.selected_id().unwrap());
    let on_border = MouseEvent { row: 23, ..click };
    pump(&mut s, &mut m, Msg::Mouse(on_border));
    assert_eq!(m.ledger.selected, 3);
    let wheel = MouseEvent { kind: MouseEventKind::ScrollDown, ..click };
    pump(&mut s, &mut m, Msg::Mouse(wheel));
    assert_eq!(m.ledger.selected, 4);
    // On a wide screen a click in the detail pane gives it the focus.
    pump(&mut s, &mut m, Msg::Resize(160, 45));
    pump(&mut s, &mut m, Msg::Mouse(MouseEvent { column: 120, ..click }));
    assert_eq!(m.ledger.focus, LedgerFocus::Detail);
}

#[test]
fn quit_keys_and_esc_clearing_a_search_first() {
    let (mut s, mut m) = demo_at(80, 24);
    pump(&mut s, &mut m, key(KeyCode::Char('/')));
    typ(&mut s, &mut m, "やま");
    pump(&mut s, &mut m, key(KeyCode::Enter));
    assert_eq!(m.ledger.focus, LedgerFocus::Table);
    assert!(pump(&mut s, &mut m, key(KeyCode::Esc)).iter().all(|e| *e != Effect::Quit));
    assert!(m.ledger.search.value().is_empty() && !m.quit);
    assert!(pump(&mut s, &mut m, key(KeyCode::Esc)).contains(&Effect::Quit));
    let (mut s, mut m) = demo_at(80, 24);
    pump(&mut s, &mut m, key(KeyCode::F(2)));
    assert!(pump(&mut s, &mut m, ctrl('c')).contains(&Effect::Quit), "Ctrl+C works inside forms");
}

#[test]
fn register_form_checks_input_and_saves_through_an_effect() {
    let (mut s, mut m) = demo_at(80, 24);
    pump(&mut s, &mut m, key(KeyCode::F(2)));
    assert!(ledger_form(&m).is_some());
    // Nothing filled in: refused with the field named, no effect.
    assert!(pump(&mut s, &mut m, key(KeyCode::F(10))).is_empty());
    assert_eq!(ledger_form(&m).unwrap().error.as_deref(), Some("ケース番号: 入力してください"));
    typ(&mut s, &mut m, "R8-9001");
    pump(&mut s, &mut m, key(KeyCode::Tab));
    typ(&mut s, &mut m, "試験 花子");
    pump(&mut s, &mut m, key(KeyCode::Enter));
    typ(&mut s, &mut m, "しけん はなこ");
    pump(&mut s, &mut m, key(KeyCode::Tab));
    pump(&mut s, &mut m, key(KeyCode::Right)); // 性別: 男
    pump(&mut s, &mut m, key(KeyCode::Right)); // 女
    pump(&mut s, &mut m, key(KeyCode::Tab));
    typ(&mut s, &mut m, "令和2年13月1日");
    assert!(pump(&mut s, &mut m, ctrl('s')).is_empty());
    let err = ledger_form(&m).unwrap().error.clone().unwrap();
    assert!(err.starts_with("生年月日: "), "{err}");
    // Fix the date with 和暦 short form.
    for _ in 0.."令和2年13月1日".chars().count() {
        pump(&mut s, &mut m, key(KeyCode::Backspace));
    }
    typ(&mut s, &mut m, "R2.4.10");
    // To 援助方針 (the last field) and type two lines.
    // From 生年月日 (the 5th field) five steps back wrap round to the last field.
    for _ in 0..5 {
        pump(&mut s, &mut m, Msg::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)));
    }
    assert_eq!(ledger_form(&m).unwrap().focused().label, "援助方針");
    assert_eq!(m.mode(), super::keymap::Mode::FormText);
    typ(&mut s, &mut m, "週1回訪問");
    pump(&mut s, &mut m, key(KeyCode::Enter));
    pump(&mut s, &mut m, Msg::Paste("学校と連携".into()));
    let effects = pump(&mut s, &mut m, key(KeyCode::F(10)));
    let Some(Effect::Ledger(LedgerEffect::SaveCase(save))) = effects.first() else { panic!("{effects:?}") };
    assert_eq!(save.case.birth_date, NaiveDate::from_ymd_opt(2020, 4, 10));
    assert_eq!(save.case.support_policy, "週1回訪問\n学校と連携");
    assert_eq!(save.case.sex, crate::domain::Sex::Female);
    assert!(save.case.next_review.is_some(), "computed from the rank");
    // Executed: the form closes, the status says so, the new case is selected.
    assert!(ledger_form(&m).is_none());
    assert_eq!(m.status.as_ref().unwrap().text, "ケース R8-9001 を登録しました");
    assert_eq!(m.ledger.selected_row().unwrap().number, "R8-9001");
    let saved = s.case_by_number("R8-9001").unwrap().unwrap();
    assert_eq!(saved.kana, "しけん はなこ");
    assert!(!s.audit_entries(Some("case"), Some(saved.id), 10).unwrap().is_empty());
}

#[test]
fn a_store_error_stays_in_the_form() {
    let (mut s, mut m) = demo_at(80, 24);
    let taken = m.ledger.rows[0].number.clone();
    pump(&mut s, &mut m, key(KeyCode::F(2)));
    typ(&mut s, &mut m, &taken);
    pump(&mut s, &mut m, key(KeyCode::Tab));
    typ(&mut s, &mut m, "重複 太郎");
    for _ in 0..3 {
        pump(&mut s, &mut m, key(KeyCode::Tab));
    }
    typ(&mut s, &mut m, "2019/5/1");
    pump(&mut s, &mut m, key(KeyCode::F(10)));
    let f = ledger_form(&m).expect("the form stays open");
    assert!(f.error.as_deref().unwrap().contains("既に使われています"), "{:?}", f.error);
    assert_eq!(f.get(CaseField::Name), "重複 太郎", "nothing typed is lost");
}

#[test]
fn edit_and_close_a_case() {
    let (mut s, mut m) = demo_at(80, 24);
    let id = m.ledger.selected_id().unwrap();
    pump(&mut s, &mut m, key(KeyCode::F(4)));
    let f = ledger_form(&m).unwrap();
    assert_eq!(f.get(CaseField::Number), m.ledger.rows[0].number);
    pump(&mut s, &mut m, key(KeyCode::Tab));
    pump(&mut s, &mut m, key(KeyCode::End));
    typ(&mut s, &mut m, "子");
    pump(&mut s, &mut m, key(KeyCode::F(10)));
    assert!(s.case(id).unwrap().name.ends_with('子'));
    // Close: the reason is required.
    pump(&mut s, &mut m, key(KeyCode::F(5)));
    assert!(pump(&mut s, &mut m, key(KeyCode::F(10))).is_empty());
    assert_eq!(ledger_form(&m).unwrap().error.as_deref(), Some("理由: 入力してください"));
    typ(&mut s, &mut m, "転出のため");
    // The 終結理由区分 is required too: the statistics count it, never the reason.
    assert!(pump(&mut s, &mut m, key(KeyCode::F(10))).is_empty());
    let said = ledger_form(&m).unwrap().error.clone().unwrap_or_default();
    assert!(said.starts_with("終結理由区分を選んでください（状態の安定・転出・"), "{said}");
    for _ in 0..3 {
        pump(&mut s, &mut m, key(KeyCode::Tab));
    }
    pump(&mut s, &mut m, key(KeyCode::Right));
    pump(&mut s, &mut m, key(KeyCode::Right));
    let e = pump(&mut s, &mut m, key(KeyCode::F(10)));
    assert!(
        matches!(&e[0], Effect::Ledger(LedgerEffect::CloseCase { reason, category, status: CaseStatus::Closed, .. })
            if reason == "転出のため" && category == "転出"),
        "{e:?}"
    );
    let c = s.case(id).unwrap();
    assert_eq!(c.status, CaseStatus::Closed);
    assert_eq!(c.closure.unwrap().on, today());
    // Closed cases leave the default list; closing again is refused on screen.
    assert!(m.ledger.visible.iter().all(|&i| m.ledger.rows[i].id != id));
}

#[test]
fn help_lists_every_bound_action() {
    let (mut s, mut m) = demo_at(80, 24);
    pump(&mut s, &mut m, key(KeyCode::Char('?')));
    let lines = super::view::help_lines(&m.keymap);
    let at = |m: &Model| lines[usize::from(m.help.unwrap())].to_string();
    assert_eq!(at(&m), format!("[{}]", super::keymap::Mode::Ledger.label()), "help opens at the screen's keys");
    let text: String = super::view::help_lines(&m.keymap).iter().map(|l| l.to_string()).collect::<Vec<_>>().join("\n");
    for mode in super::keymap::Mode::ALL {
        for (a, keys) in m.keymap.bindings(mode) {
            assert!(text.contains(a.describe()), "{a:?}");
            assert!(text.contains(&keys[0].label()), "{a:?}");
        }
    }
    pump(&mut s, &mut m, key(KeyCode::Esc));
    assert_eq!(m.help, None);
    pump(&mut s, &mut m, key(KeyCode::F(1)));
    assert!(m.help.is_some());
    pump(&mut s, &mut m, key(KeyCode::Home));
    assert_eq!(m.help, Some(0));
    pump(&mut s, &mut m, key(KeyCode::PageDown));
    let page = m.help.unwrap();
    assert!(page > 10, "PageDown moves a page: {page}");
    pump(&mut s, &mut m, key(KeyCode::End));
    let end = m.help.unwrap();
    pump(&mut s, &mut m, key(KeyCode::Down));
    assert_eq!(m.help, Some(end), "End is the last page");
    pump(&mut s, &mut m, key(KeyCode::PageUp));
    assert_eq!(m.help, Some(end - page));
    pump(&mut s, &mut m, key(KeyCode::Esc));
    // From the meeting screen, help opens at the meeting's keys.
    pump(&mut s, &mut m, Msg::Key(KeyEvent::new(KeyCode::Char('3'), KeyModifiers::ALT)));
    pump(&mut s, &mut m, key(KeyCode::F(1)));
    assert_eq!(at(&m), format!("[{}]", super::keymap::Mode::Meeting.label()));
}

#[test]
fn every_footer_shows_help_and_the_meeting_footer_its_close_key() {
    for (w, h) in [(80, 24), (100, 30), (160, 45)] {
        let (mut s, mut m) = demo_at(w, h);
        for n in ['1', '2', '3', '4'] {
            pump(&mut s, &mut m, Msg::Key(KeyEvent::new(KeyCode::Char(n), KeyModifiers::ALT)));
            m.status = None;
            let text = screen(&m);
            let rows: Vec<&str> = text.lines().collect();
            let keys = rows[rows.len() - 2..].join("\n");
            assert!(keys.contains("ヘルプ"), "{w}x{h} Alt+{n}: {keys}");
            if n == '3' && w >= 100 {
                assert!(keys.contains("F12 会議を終了") && keys.contains("q 終了"), "{w}x{h}: {keys}");
            }
        }
    }
}

#[test]
fn tiny_terminals_do_not_panic() {
    let (mut s, mut m) = demo_at(80, 24);
    for (w, h) in [(20, 5), (1, 1), (10, 3), (0, 0), (200, 2)] {
        pump(&mut s, &mut m, Msg::Resize(w, h));
        draw(&m);
        pump(&mut s, &mut m, key(KeyCode::Down));
        pump(&mut s, &mut m, key(KeyCode::Enter));
        draw(&m);
        pump(&mut s, &mut m, key(KeyCode::F(4)));
        draw(&m);
        pump(&mut s, &mut m, Msg::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)));
        draw(&m);
        pump(&mut s, &mut m, key(KeyCode::F(1)));
        draw(&m);
        pump(&mut s, &mut m, key(KeyCode::Esc));
        pump(&mut s, &mut m, key(KeyCode::Esc));
        pump(&mut s, &mut m, key(KeyCode::F(7)));
        draw(&m);
        pump(&mut s, &mut m, key(KeyCode::Esc));
        pump(&mut s, &mut m, key(KeyCode::Esc));
    }
}

#[test]
fn the_real_cursor_sits_in_the_focused_field() {
    let (mut s, mut m) = demo_at(80, 24);
    pump(&mut s, &mut m, key(KeyCode::Char('/')));
    typ(&mut s, &mut m, "やまだ");
    let mut t = draw(&m);
    // " 検索: " is 7 columns, やまだ 6 more.
    assert_eq!(t.get_cursor_position().unwrap(), ratatui::layout::Position::new(13, 1));
    pump(&mut s, &mut m, key(KeyCode::Esc));
    pump(&mut s, &mut m, key(KeyCode::F(4)));
    pump(&mut s, &mut m, Msg::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)));
    pump(&mut s, &mut m, ctrl('e')); // end of the first line? keep simple: type at the start
    typ(&mut s, &mut m, "あい");
    t.draw(|f| view::render(&m, f)).unwrap();
    let p = t.get_cursor_position().unwrap();
    let buf = t.backend().buffer().clone();
    // The cell left of the cursor holds the last typed character.
    let left = buf[(p.x - 2, p.y)].symbol().to_string();
    assert_eq!(left, "い", "cursor at {p:?}\n{}", buffer_text(&buf));
}

#[test]
fn overdue_reviews_are_red_and_the_selection_reversed() {
    let (mut s, mut m) = demo_at(80, 24);
    pump(&mut s, &mut m, key(KeyCode::Char('o')));
    assert!(!m.ledger.visible.is_empty(), "the demo has overdue reviews");
    let t = draw(&m);
    let buf = t.backend().buffer();
    let text = buffer_text(buf);
    let (y, _) =
        text.lines().enumerate().find(|(_, l)| l.starts_with("│R") && l.contains("超過")).expect("an overdue row");
    let x = (0..buf.area.width).find(|&x| buf[(x, y as u16)].symbol() == "超").unwrap();
    assert_eq!(buf[(x, y as u16)].fg, ratatui::style::Color::Red);
    // The first data row (y = 4) is the selected one.
    assert!(buf[(2, 4)].modifier.contains(ratatui::style::Modifier::REVERSED));
    assert!(!buf[(2, 5)].modifier.contains(ratatui::style::Modifier::REVERSED));
}

#[test]
fn the_footer_follows_the_mode() {
    let (mut s, mut m) = demo_at(120, 30);
    let footer = |m: &Model| screen(m).lines().last().unwrap().to_string();
    assert!(footer(&m).contains("F2 新規登録"), "{}", footer(&m));
    pump(&mut s, &mut m, key(KeyCode::Char('/')));
    assert!(footer(&m).contains("Esc 検索を消す"), "{}", footer(&m));
    pump(&mut s, &mut m, key(KeyCode::Esc));
    pump(&mut s, &mut m, key(KeyCode::F(2)));
    let f = footer(&m);
    assert!(f.contains("F10 保存") && !f.contains("前の値"), "text field: no choice keys\n{f}");
    for _ in 0..3 {
        pump(&mut s, &mut m, key(KeyCode::Tab));
    }
    assert!(footer(&m).contains("Right 次の値"), "{}", footer(&m));
}

#[test]
fn esc_on_a_changed_form_asks_before_discarding() {
    let (mut s, mut m) = demo_at(80, 24);
    pump(&mut s, &mut m, key(KeyCode::F(2)));
    pump(&mut s, &mut m, key(KeyCode::Esc));
    assert!(ledger_form(&m).is_none(), "an untouched form closes at once");
    pump(&mut s, &mut m, key(KeyCode::F(2)));
    typ(&mut s, &mut m, "R8-1");
    pump(&mut s, &mut m, key(KeyCode::Esc));
    let f = ledger_form(&m).expect("still open");
    assert!(f.error.as_deref().unwrap().contains("もう一度 Esc"));
    // Another key disarms it; then two Escs discard.
    typ(&mut s, &mut m, "2");
    pump(&mut s, &mut m, key(KeyCode::Esc));
    assert!(ledger_form(&m).is_some());
    pump(&mut s, &mut m, key(KeyCode::Esc));
    assert!(ledger_form(&m).is_none());
    assert_eq!(m.status.as_ref().unwrap().text, "入力を取り消しました");
}

#[test]
fn changing_registration_offers_that_registrations_ranks() {
    let (mut s, mut m) = demo_at(80, 24);
    pump(&mut s, &mut m, key(KeyCode::F(2)));
    for _ in 0..7 {
        pump(&mut s, &mut m, key(KeyCode::Tab));
    }
    assert_eq!(ledger_form(&m).unwrap().focused().label, "登録区分");
    assert_eq!(ledger_form(&m).unwrap().get(CaseField::Registration), "要支援児童");
    pump(&mut s, &mut m, key(KeyCode::Right));
    let f = ledger_form(&m).unwrap();
    assert_eq!(f.get(CaseField::Registration), "特定妊婦");
    let super::form::FieldValue::Choice { options, .. } = &f.fields[8].value else { panic!() };
    let expected: Vec<String> = m.config.expectant_ranks.iter().map(|r| r.code.clone()).collect();
    assert_eq!(options, &expected);
}

#[test]
fn a_saved_case_hidden_by_the_search_is_shown() {
    let (mut s, mut m) = demo_at(80, 24);
    pump(&mut s, &mut m, key(KeyCode::Char('/')));
    typ(&mut s, &mut m, "やまだ");
    pump(&mut s, &mut m, key(KeyCode::Enter));
    pump(&mut s, &mut m, key(KeyCode::Char('o')));
    pump(&mut s, &mut m, key(KeyCode::F(2)));
    typ(&mut s, &mut m, "R8-9002");
    pump(&mut s, &mut m, key(KeyCode::Tab));
    typ(&mut s, &mut m, "見守 一郎");
    for _ in 0..3 {
        pump(&mut s, &mut m, key(KeyCode::Tab));
    }
    typ(&mut s, &mut m, "H30.5.5");
    pump(&mut s, &mut m, key(KeyCode::F(10)));
    assert_eq!(m.ledger.selected_row().unwrap().number, "R8-9002");
    assert!(m.ledger.search.value().is_empty() && !m.ledger.filter.overdue);
    let rows = super::layout::table_rows(super::ledger::areas(&m.ledger, super::layout::frame(m.size).body).table);
    assert!(m.ledger.offset <= m.ledger.selected && m.ledger.selected < m.ledger.offset + rows, "scrolled to it");
}

#[test]
fn screen_keys_switch_screens_but_not_inside_a_form_or_the_search() {
    use super::model::Screen;
    let (mut s, mut m) = demo_at(80, 24);
    pump(&mut s, &mut m, key(KeyCode::F(9)));
    assert_eq!(m.screen, Screen::Prep);
    assert!(screen(&m).contains("会議準備"));
    pump(&mut s, &mut m, Msg::Key(KeyEvent::new(KeyCode::Char('4'), KeyModifiers::ALT)));
    assert_eq!(m.screen, Screen::Stats);
    pump(&mut s, &mut m, key(KeyCode::F(9)));
    assert_eq!(m.screen, Screen::Ledger, "F9 cycles back to the ledger");
    pump(&mut s, &mut m, key(KeyCode::F(2)));
    pump(&mut s, &mut m, key(KeyCode::F(9)));
    assert_eq!(m.screen, Screen::Ledger, "a form keeps the screen");
    assert!(ledger_form(&m).is_some());
}

#[test]
fn detail_shows_the_merged_sheets_80x30() {
    let (mut s, mut m) = demo_at(80, 30);
    // The first demo case whose institution's scale fell with a new tick; the next period is
    // asked of that institution and not answered yet.
    let sheets = s.all_sheets().unwrap();
    let (c, col) = s
        .cases(false)
        .unwrap()
        .into_iter()
        .find_map(|c| {
            let merged = crate::domain::sheet_merge::merge(c.id, &sheets, &[]);
            let col = merged
                .columns
                .into_iter()
                .find(|col| col.scale_change().is_some_and(|d| d < 0) && !col.newly_ticked.is_empty())?;
            Some((c, col))
        })
        .expect("the demo has a falling scale");
    let due = NaiveDate::from_ymd_opt(2026, 12, 10).unwrap();
    s.write(|t| t.request_sheet(c.id, col.agency_id, due)).unwrap();
    pump(&mut s, &mut m, key(KeyCode::Char('/')));
    typ(&mut s, &mut m, &c.number);
    pump(&mut s, &mut m, key(KeyCode::Enter));
    pump(&mut s, &mut m, key(KeyCode::Enter));
    assert_eq!(m.ledger.detail.as_ref().map(|d| d.case.id), Some(c.id));
    for _ in 0..200 {
        let text = screen(&m);
        if text.lines().take(4).any(|l| l.contains("[アセスメントシート")) {
            break;
        }
        pump(&mut s, &mut m, key(KeyCode::Down));
    }
    let text = screen(&m);
    let before = col.previous.as_ref().and_then(|p| p.safety_scale).unwrap();
    let change = format!("（前回{before} {:+}）", col.scale_change().unwrap());
    assert!(text.contains(&change) && text.contains("新たに該当") && text.contains("未提出"), "{text}");
    let t = draw(&m);
    let buf = t.backend().buffer();
    let (y, _) = text.lines().enumerate().find(|(_, l)| l.contains(&change)).unwrap();
    let x = (0..buf.area.width).find(|&x| buf[(x, y as u16)].symbol() == "前").unwrap();
    assert_eq!(buf[(x, y as u16)].fg, ratatui::style::Color::Red, "a falling scale is red");
    insta::assert_snapshot!(text);
}

#[test]
fn another_writers_commit_reads_again_what_is_shown() {
    let (mut s, mut m) = demo_at(80, 24);
    let selected = m.ledger.selected_id();
    let effects = update(&mut m, Msg::StoreChanged);
    assert_eq!(effects, vec![Effect::Ledger(LedgerEffect::Load { select: selected })], "the selection stays");
    pump(&mut s, &mut m, Msg::Key(KeyEvent::new(KeyCode::Char('3'), KeyModifiers::ALT)));
    let id = m.meeting.data.as_ref().unwrap().meeting.id;
    let effects = update(&mut m, Msg::StoreChanged);
    assert_eq!(
        effects,
        vec![Effect::Meeting(super::meeting::MeetingEffect::Load { id: Some(id), today: today(), take_lease: false })],
        "the screen in front only"
    );
    // Back on the ledger, its rows are read once.
    let effects = pump(&mut s, &mut m, Msg::Key(KeyEvent::new(KeyCode::Char('1'), KeyModifiers::ALT)));
    assert_eq!(effects.first(), Some(&Effect::Ledger(LedgerEffect::Load { select: selected })));
    let effects = update(&mut m, Msg::Key(KeyEvent::new(KeyCode::Char('1'), KeyModifiers::ALT)));
    assert!(effects.is_empty(), "and only once");
}

#[test]
fn quitting_while_this_window_runs_the_meeting_asks_first() {
    let (mut s, mut m) = demo_at(80, 24);
    pump(&mut s, &mut m, Msg::Key(KeyEvent::new(KeyCode::Char('3'), KeyModifiers::ALT)));
    pump(&mut s, &mut m, key(KeyCode::Enter));
    assert!(m.meeting.is_running());
    // From the meeting screen: the first q only asks, another key in between disarms.
    assert!(!pump(&mut s, &mut m, key(KeyCode::Char('q'))).contains(&Effect::Quit));
    assert!(m.status.as_ref().unwrap().text.starts_with("会議の進行中です"));
    pump(&mut s, &mut m, key(KeyCode::Down));
    assert!(!pump(&mut s, &mut m, key(KeyCode::Char('q'))).contains(&Effect::Quit));
    // From the ledger too.
    pump(&mut s, &mut m, Msg::Key(KeyEvent::new(KeyCode::Char('1'), KeyModifiers::ALT)));
    assert!(!pump(&mut s, &mut m, key(KeyCode::Char('q'))).contains(&Effect::Quit));
    assert!(!m.quit && m.status.as_ref().unwrap().text.starts_with("会議の進行中です"));
    assert!(pump(&mut s, &mut m, key(KeyCode::Char('q'))).contains(&Effect::Quit));
    assert!(m.quit);
    // On the meeting screen the second q also hands the lease back.
    let (mut s, mut m) = demo_at(80, 24);
    pump(&mut s, &mut m, Msg::Key(KeyEvent::new(KeyCode::Char('3'), KeyModifiers::ALT)));
    pump(&mut s, &mut m, key(KeyCode::Enter));
    pump(&mut s, &mut m, key(KeyCode::Char('q')));
    let effects = pump(&mut s, &mut m, key(KeyCode::Char('q')));
    assert!(effects.iter().any(|e| matches!(e, Effect::Meeting(super::meeting::MeetingEffect::Release { .. }))));
    assert_eq!(effects.last(), Some(&Effect::Quit));
}

#[test]
fn a_typed_agency_is_the_registered_one_and_a_new_one_needs_a_second_save() {
    let (mut s, mut m) = demo_at(80, 24);
    let agencies_before = s.agencies().unwrap().len();
    let set = |m: &mut Model, field: CaseField, v: &str| {
        m.ledger.form.as_mut().unwrap().form.set_text(field, v);
    };
    pump(&mut s, &mut m, key(KeyCode::F(2)));
    set(&mut m, CaseField::Number, "R8-9101");
    set(&mut m, CaseField::Name, "試験 一郎");
    set(&mut m, CaseField::Birth, "R2.4.10");
    set(&mut m, CaseField::Affiliation, "東小");
    set(&mut m, CaseField::Lead, "保健センター");
    pump(&mut s, &mut m, key(KeyCode::F(10)));
    assert!(ledger_form(&m).is_none(), "{:?}", ledger_form(&m).map(|f| f.error.clone()));
    let c = s.cases(false).unwrap().into_iter().find(|c| c.number == "R8-9101").unwrap();
    assert_eq!(m.agency_name(c.affiliation), "東小学校", "a short form finds the registered school");
    assert_eq!(m.agency_name(c.lead_agency), "保健センター（母子保健）");
    assert_eq!(s.agencies().unwrap().len(), agencies_before, "no phantom agency");

    // A name nobody has registered: the form asks, and only a second save registers it.
    pump(&mut s, &mut m, key(KeyCode::F(2)));
    set(&mut m, CaseField::Number, "R8-9102");
    set(&mut m, CaseField::Name, "試験 二郎");
    set(&mut m, CaseField::Birth, "R2.4.11");
    set(&mut m, CaseField::Affiliation, "北の杜フリースクール");
    pump(&mut s, &mut m, key(KeyCode::F(10)));
    let asked = ledger_form(&m).expect("still open").error.clone().unwrap();
    assert!(asked.contains("登録されていません") && asked.contains("もう一度 F10"), "{asked}");
    assert_eq!(s.agencies().unwrap().len(), agencies_before);
    pump(&mut s, &mut m, key(KeyCode::F(10)));
    assert!(ledger_form(&m).is_none());
    assert_eq!(s.agencies().unwrap().len(), agencies_before + 1);
}

#[test]
fn a_refusal_is_shown_under_the_field_it_names() {
    let (mut s, mut m) = demo_at(80, 24);
    pump(&mut s, &mut m, key(KeyCode::F(2)));
    m.ledger.form.as_mut().unwrap().form.set_text(CaseField::Number, "R8-9201");
    m.ledger.form.as_mut().unwrap().form.set_text(CaseField::Name, "試験 三郎");
    m.ledger.form.as_mut().unwrap().form.set_text(CaseField::Birth, "令和2年13月1日");
    pump(&mut s, &mut m, key(KeyCode::F(10)));
    let text = screen(&m);
    let rows: Vec<&str> = text.lines().collect();
    let at = rows.iter().position(|r| r.contains("生年月日")).expect("the field is on screen");
    assert!(rows[at + 1].contains("生年月日: 「令和2年13月1日」"), "the next row:\n{text}");
}

/// 投影モード is one switch for every screen: names become initials everywhere, no form that
/// shows a person's details opens, and a restart (or a crash) comes back projected.
#[test]
fn presentation_mode_covers_every_screen_and_is_remembered() {
    let (mut s, mut m) = demo_at(100, 30);
    let name = m.ledger.rows[0].name.clone();
    assert!(screen(&m).contains(&name));
    pump(&mut s, &mut m, Msg::Key(KeyEvent::new(KeyCode::Char('p'), KeyModifiers::ALT)));
    assert!(m.present);
    let text = screen(&m);
    assert!(text.contains("投影中") && !text.contains(&name), "{text}");
    pump(&mut s, &mut m, key(KeyCode::F(4)));
    assert!(m.ledger.form.is_none());
    assert_eq!(m.status.as_ref().unwrap().text, crate::tui::screen::NOT_WHILE_PRESENTING);
    for screen_key in ['2', '3', '4'] {
        pump(&mut s, &mut m, Msg::Key(KeyEvent::new(KeyCode::Char(screen_key), KeyModifiers::ALT)));
        let text = screen(&m);
        assert!(text.contains("投影中"), "Alt+{screen_key}: {text}");
        for r in &m.ledger.rows {
            assert!(!text.contains(&r.name), "Alt+{screen_key} shows {}", r.number);
        }
    }
    assert!(crate::tui::runtime::starts_presenting(&s, &m.config), "a restart opens projected");
    pump(&mut s, &mut m, Msg::Key(KeyEvent::new(KeyCode::Char('p'), KeyModifiers::ALT)));
    assert!(!m.present && !crate::tui::runtime::starts_presenting(&s, &m.config));
}

/// An edit form opened before another window saved the case refuses to save over it, says
/// which fields changed and reads the case again: reopening the form shows what is stored.
#[test]
fn a_stale_edit_is_refused_and_reopening_shows_the_stored_case() {
    let (mut s, mut m) = demo_at(100, 30);
    pump(&mut s, &mut m, key(KeyCode::F(4)));
    let id = m.ledger.selected_id().unwrap();
    assert!(ledger_form(&m).is_some());
    // Another window changes the 援助方針 meanwhile.
    let mut c = s.case(id).unwrap();
    c.support_policy = "別の画面で書いた方針".into();
    s.write(|t| t.save_case(&c)).unwrap();
    typ(&mut s, &mut m, "追記");
    pump(&mut s, &mut m, key(KeyCode::F(10)));
    let err = ledger_form(&m).expect("still open").error.clone().unwrap();
    assert!(err.contains("援助方針") && err.contains("Esc で閉じて開き直してください"), "{err}");
    assert_eq!(s.case(id).unwrap().support_policy, "別の画面で書いた方針", "nothing was saved over it");
    pump(&mut s, &mut m, key(KeyCode::Esc));
    pump(&mut s, &mut m, key(KeyCode::Esc));
    pump(&mut s, &mut m, key(KeyCode::F(4)));
    assert_eq!(ledger_form(&m).unwrap().get(CaseField::Policy), "別の画面で書いた方針");
}

/// A ledger form open while projecting shows none of what is in it (a new case's name, a
/// reason being typed): only that it is hidden.
#[test]
fn snapshot_ledger_form_hidden_while_projecting() {
    let (mut s, mut m) = demo_at(160, 45);
    pump(&mut s, &mut m, key(KeyCode::F(2)));
    typ(&mut s, &mut m, "R8-9001");
    pump(&mut s, &mut m, key(KeyCode::Tab));
    typ(&mut s, &mut m, "髙橋 美桜");
    assert!(screen(&m).contains("髙橋 美桜"));
    m.present = true;
    let text = screen(&m);
    assert!(!text.contains("髙橋") && !text.contains("美桜") && !text.contains("R8-9001"), "{text}");
    assert!(text.contains("投影中のため入力内容は表示しません"), "{text}");
    insta::assert_snapshot!("ledger_form_160x45_presentation_hidden", text);
    m.present = false;
    assert!(screen(&m).contains("髙橋 美桜"), "the typing is kept");
}
