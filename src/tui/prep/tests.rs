//! The preparation screen driven through the app with the demo store, and its snapshots.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::store::Store;
use crate::tui::model::{Model, Screen};
use crate::tui::msg::{Effect, Msg};
use crate::tui::tests::{demo_at, key, pump, screen, typ};

/// The demo (its next meeting's agenda built) on the preparation screen.
fn prep_at(w: u16, h: u16) -> (Store, Model) {
    let (mut s, mut m) = demo_at(w, h);
    pump(&mut s, &mut m, Msg::Key(KeyEvent::new(KeyCode::Char('2'), KeyModifiers::ALT)));
    assert_eq!(m.screen, Screen::Prep);
    assert!(!m.prep.items().is_empty(), "the demo builds the agenda");
    (s, m)
}

fn ch(c: char) -> Msg {
    key(KeyCode::Char(c))
}

fn selected(m: &Model) -> AgendaItem {
    m.prep.selected_item().cloned().expect("an item is selected")
}

/// Selects the first item of `column` that satisfies `pred`.
fn select_where(m: &mut Model, column: Column, pred: impl Fn(&PrepState, &AgendaItem) -> bool) -> AgendaItem {
    let col = m.prep.column(column);
    let at = col.iter().position(|&i| pred(&m.prep, &m.prep.items()[i])).expect("such an item");
    m.prep.focus = column;
    m.prep.selected[column.index()] = at;
    selected(m)
}

fn block_len(s: &PrepState, i: &AgendaItem) -> usize {
    s.items().iter().filter(|x| x.block == i.block).count()
}

fn status(m: &Model) -> String {
    m.status.as_ref().map(|s| s.text.clone()).unwrap_or_default()
}

#[test]
fn opens_the_next_planned_meeting_with_both_tracks_and_the_plan() {
    let (_s, m) = prep_at(160, 45);
    let d = m.prep.data.as_ref().unwrap();
    assert_eq!(d.meeting.as_ref().unwrap().status, MeetingStatus::Planned);
    let (q, dp) = (m.prep.column(Column::Quick).len(), m.prep.column(Column::Deep).len());
    assert_eq!(q + dp, d.items.len());
    let text = screen(&m);
    assert!(text.contains(&format!("一括確認 {q}件")) && text.contains(&format!("重点協議 {dp}件")), "{text}");
    assert!(text.contains("1日目 午前（乳幼児会）") && text.contains("終了見込"), "{text}");
    assert!(text.contains("[事務局案]") && text.contains("[アセスメントシート]"), "{text}");
    let reason = &selected(&m).reasons[0];
    assert!(text.contains(reason.chars().take(8).collect::<String>().as_str()), "reasons shown: {reason}\n{text}");
}

#[test]
fn moving_to_the_other_track_takes_the_siblings_along_and_is_saved() {
    let (mut s, mut m) = prep_at(160, 45);
    let first = select_where(&mut m, Column::Quick, |s, i| block_len(s, i) > 1);
    let block: Vec<Id> = m.prep.items().iter().filter(|i| i.block == first.block).map(|i| i.id).collect();
    pump(&mut s, &mut m, ch('t'));
    for id in &block {
        assert_eq!(s.agenda_item(*id).unwrap().track, Track::Deep);
    }
    assert_eq!(m.prep.focus, Column::Deep, "the selection follows the item");
    assert_eq!(selected(&m).id, first.id);
    assert!(status(&m).contains("重点協議へ移しました（きょうだい"), "{}", status(&m));
    assert!(!s.audit_entries(Some("agenda_item"), Some(first.id), 10).unwrap().is_empty(), "audited");
}

#[test]
fn a_locked_item_survives_a_rebuild() {
    let (mut s, mut m) = prep_at(80, 24);
    let item = select_where(&mut m, Column::Quick, |_, i| !i.locked);
    pump(&mut s, &mut m, ch('t'));
    pump(&mut s, &mut m, ch(' '));
    assert!(s.agenda_item(item.id).unwrap().locked);
    assert!(status(&m).contains("固定しました"));
    let effects = pump(&mut s, &mut m, key(KeyCode::F(8)));
    assert!(effects.is_empty() && status(&m).contains("もう一度"));
    let effects = pump(&mut s, &mut m, key(KeyCode::F(8)));
    assert!(matches!(effects[0], Effect::Prep(PrepEffect::Rebuild { .. })));
    assert!(status(&m).contains("議事次第を作り直しました"), "{}", status(&m));
    let after = s.agenda_item(item.id).unwrap();
    assert_eq!((after.track, after.locked, after.session_id), (Track::Deep, true, item.session_id));
    pump(&mut s, &mut m, ch(' '));
    assert!(!s.agenda_item(item.id).unwrap().locked);
}

#[test]
fn sessions_and_order_change_by_keys() {
    let (mut s, mut m) = prep_at(160, 45);
    let sessions = m.prep.data.as_ref().unwrap().sessions.clone();
    let first = sessions[0].id;
    let item = select_where(&mut m, Column::Deep, |_, i| i.session_id == Some(first));
    pump(&mut s, &mut m, ch('<'));
    assert!(status(&m).contains("前の日程はありません"));
    pump(&mut s, &mut m, ch('>'));
    assert_eq!(s.agenda_item(item.id).unwrap().session_id, Some(sessions[1].id));
    pump(&mut s, &mut m, ch('<'));
    assert_eq!(s.agenda_item(item.id).unwrap().session_id, Some(first));
    let deep_in_first = |m: &Model| -> Vec<i64> {
        let mut blocks: Vec<i64> = Vec::new();
        for i in m.prep.items().iter().filter(|i| i.track == Track::Deep && i.session_id == Some(first)) {
            if blocks.last() != Some(&i.block) {
                blocks.push(i.block);
            }
        }
        blocks
    };
    let before = deep_in_first(&m);
    assert_eq!(before.last(), Some(&item.block), "joins the end of the session");
    pump(&mut s, &mut m, ch('K'));
    let after = deep_in_first(&m);
    assert_eq!(after[after.len() - 2], item.block, "moved up one block: {}", status(&m));
    assert_eq!(selected(&m).id, item.id);
    pump(&mut s, &mut m, ch('J'));
    assert_eq!(deep_in_first(&m), before, "and down again");
    pump(&mut s, &mut m, ch('J'));
    assert!(status(&m).contains("これ以上下へは動かせません"));
}

#[test]
fn the_draft_is_edited_in_a_form_and_saved() {
    let (mut s, mut m) = prep_at(80, 24);
    let item = select_where(&mut m, Column::Quick, |_, _| true);
    pump(&mut s, &mut m, key(KeyCode::Enter));
    assert!(m.prep.form.is_some());
    assert_eq!(m.mode(), crate::tui::keymap::Mode::FormText, "状況 is multi-line");
    typ(&mut s, &mut m, "登校は安定");
    pump(&mut s, &mut m, key(KeyCode::Enter));
    typ(&mut s, &mut m, "家庭訪問を継続");
    for _ in 0..3 {
        pump(&mut s, &mut m, key(KeyCode::Tab));
    }
    for _ in 0..30 {
        pump(&mut s, &mut m, key(KeyCode::Backspace));
    }
    typ(&mut s, &mut m, "R9.2.30");
    pump(&mut s, &mut m, key(KeyCode::F(10)));
    assert!(
        m.prep.form.as_ref().map(|f| &f.form).unwrap().error.as_ref().unwrap().contains("次回確認日"),
        "a bad date names the field"
    );
    for _ in 0..7 {
        pump(&mut s, &mut m, key(KeyCode::Backspace));
    }
    typ(&mut s, &mut m, "R9.2.26");
    pump(&mut s, &mut m, key(KeyCode::F(10)));
    assert!(m.prep.form.is_none(), "{:?}", m.prep.form.as_ref().map(|f| &f.form).map(|f| f.error.clone()));
    let d = s.agenda_item(item.id).unwrap().draft;
    assert!(d.summary.starts_with("登校は安定\n家庭訪問を継続"), "{}", d.summary);
    assert_eq!(d.policy, item.draft.policy);
    assert_eq!(d.next_review, NaiveDate::from_ymd_opt(2027, 2, 26));
}

#[test]
fn a_click_selects_the_row_in_either_track() {
    let (mut s, mut m) = prep_at(160, 45);
    let a = areas(crate::tui::layout::frame(m.size).body, m.prep.data.as_ref().unwrap().plan_rows());
    let click = |x: u16, y: u16| {
        Msg::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: x,
            row: y,
            modifiers: KeyModifiers::NONE,
        })
    };
    pump(&mut s, &mut m, click(a.deep.x + 3, a.deep.y + 3));
    assert_eq!((m.prep.focus, m.prep.selected[1]), (Column::Deep, 2));
    pump(&mut s, &mut m, click(a.quick.x + 3, a.quick.y + 1));
    assert_eq!((m.prep.focus, m.prep.selected[0]), (Column::Quick, 0));
}

#[test]
fn a_question_to_an_involved_institution() {
    let (mut s, mut m) = prep_at(80, 24);
    let item = select_where(&mut m, Column::Deep, |s, i| {
        s.data.as_ref().unwrap().case(i.case_id).is_some_and(|c| c.affiliation.is_some())
    });
    let school = s.case(item.case_id).unwrap().affiliation.unwrap();
    pump(&mut s, &mut m, ch('a'));
    let form = m.prep.form.as_ref().map(|f| &f.form).expect("the question form");
    assert_eq!(form.fields[0].value(), m.agency_name(Some(school)), "the 所属 comes first");
    pump(&mut s, &mut m, key(KeyCode::F(10)));
    assert!(m.prep.form.as_ref().map(|f| &f.form).unwrap().error.as_ref().unwrap().contains("説明してほしいこと"));
    pump(&mut s, &mut m, key(KeyCode::Tab));
    typ(&mut s, &mut m, "欠席が続いた週の様子");
    pump(&mut s, &mut m, key(KeyCode::F(10)));
    assert!(m.prep.form.is_none());
    let q = &s.agenda_item(item.id).unwrap().questions;
    assert!(q.iter().any(|q| q.agency_id == school && q.text == "欠席が続いた週の様子"));
    let lines = crate::tui::view::prep_detail_lines(&m, &selected(&m), None);
    let text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    assert!(text.iter().any(|l| l.contains("欠席が続いた週の様子")), "{text:?}");
}

#[test]
fn packets_are_exported_to_the_folder_in_the_form() {
    let (mut s, mut m) = prep_at(80, 24);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("送付");
    let set_dir = |m: &mut Model| {
        let form = &mut m.prep.form.as_mut().expect("the folder form").form;
        form.fields[0].value = crate::tui::form::FieldValue::Text(tui_input::Input::new(out.display().to_string()));
    };
    pump(&mut s, &mut m, key(KeyCode::F(7)));
    set_dir(&mut m);
    pump(&mut s, &mut m, key(KeyCode::F(10)));
    assert!(m.prep.form.is_none());
    assert!(status(&m).contains("事前送付資料"));
    assert!(std::fs::read_dir(&out).unwrap().count() >= 2);
    // A second export into the same folder refuses and keeps the form open.
    pump(&mut s, &mut m, key(KeyCode::F(7)));
    set_dir(&mut m);
    pump(&mut s, &mut m, key(KeyCode::F(10)));
    assert!(m.prep.form.as_ref().map(|f| &f.form).unwrap().error.as_ref().unwrap().contains("既に存在します"));
}

#[test]
fn the_detail_shows_each_institutions_reply_and_who_has_not_replied() {
    let (_s, mut m) = prep_at(160, 45);
    let d = m.prep.data.as_ref().unwrap();
    let amended = d.replies.iter().find(|r| r.answer == crate::domain::reply::Answer::Amend).unwrap().case_id;
    let it = select_where(&mut m, Column::Quick, |_, i| i.case_id == amended);
    let text: Vec<String> = view::detail_lines(&m, &it, None).iter().map(|l| l.to_string()).collect();
    let text = text.join("\n");
    assert!(text.contains("[事前確認]"), "{text}");
    assert!(text.contains("中央児童相談所: 修正あり（次回確認を1か月早めてください"), "{text}");
    assert!(text.contains("未回答: "), "the case's other institutions are waited for: {text}");
    assert!(screen(&m).contains("事前確認 回答2/"), "{}", screen(&m));
}

#[test]
fn an_overfull_agenda_shows_what_fits_and_c_twice_moves_the_reviews() {
    let (mut s, mut m) = prep_at(160, 45);
    let meeting = m.prep.meeting_id().unwrap();
    // A slow 一括確認 overfills the sessions; a later meeting is registered to move reviews to.
    m.config.budget.quick_minutes = 15.0;
    s.write(|t| {
        let mut later = t.meeting(meeting)?;
        (later.id, later.title) = (0, "第4回".into());
        let id = t.save_meeting(&later)?;
        let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 22).unwrap();
        let t1330 = chrono::NaiveTime::from_hms_opt(13, 30, 0).unwrap();
        let t1700 = chrono::NaiveTime::from_hms_opt(17, 0, 0).unwrap();
        t.save_session(&Session {
            id: 0,
            meeting_id: id,
            label: "午後".into(),
            date: day,
            start: t1330,
            end: t1700,
            section: Some("school".into()),
            position: 0,
        })
        .map(|_| ())
    })
    .unwrap();
    let config = Box::new(m.config.clone());
    let load = PrepEffect::Load { meeting: Some(meeting), select: None, today: m.today, config };
    let loaded = io::execute(&mut s, load).unwrap();
    pump(&mut s, &mut m, Msg::Prep(loaded));
    let text = screen(&m);
    assert!(text.contains("収まる案") && text.contains("（c で適用）"), "{text}");
    // Drawn first, above the sessions it overfills, with the sessions a month it needs.
    let plan_at = text.find("収まる案").unwrap();
    assert!(text.find("1日目 午前").is_none_or(|at| plan_at < at), "{text}");
    assert!(text.contains("ランクの確認間隔どおりに回すには月"), "{text}");
    let before = m.prep.items().len();
    let moving: usize = m.prep.data.as_ref().unwrap().capacity.iter().map(|p| p.deferrals.len()).sum();
    assert!(moving > 0);
    pump(&mut s, &mut m, ch('c'));
    assert!(status(&m).contains(&format!("もう一度押すと {moving}件の確認を後の会議へ回します")), "{}", status(&m));
    pump(&mut s, &mut m, ch('c'));
    assert!(status(&m).contains(&format!("{moving}件の確認を後の会議へ回し")), "{}", status(&m));
    assert_eq!(m.prep.items().len(), before - moving);
}
