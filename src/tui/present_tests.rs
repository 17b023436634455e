//! Presentation mode holds no name on any screen: the property test over the frames (the TUI
//! half of the masking property test over the ledger of `demo::masked_ledger`; the masker's own
//! is in `domain::mask`, the masked outputs' in `exchange::masked_outputs_tests`).

use proptest::prelude::*;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::ledger::{LedgerEffect, LedgerFocus};
use super::model::Model;
use super::msg::{Effect, Msg};
use super::prep::Column;
use super::runtime::execute;
use super::tests::{key, pump, screen, today};
use crate::demo::masked_ledger::{self, PICKS, needles};
use crate::domain::Id;
use crate::store::Store;

fn alt(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT))
}

/// The shared ledger ([`masked_ledger::build`]) loaded into a model in presentation mode.
fn ledger(shift: usize, picks: &[usize]) -> (Store, Model, Vec<Id>) {
    let l = masked_ledger::build(shift, picks);
    let mut s = l.store;
    let mut m =
        Model::new(crate::domain::Config::default(), today(), super::keymap::Keymap::defaults(), "demo.db".into());
    pump(&mut s, &mut m, Msg::Resize(160, 45));
    let loaded = execute(&mut s, Effect::Ledger(LedgerEffect::Load { select: None })).unwrap();
    pump(&mut s, &mut m, loaded);
    pump(&mut s, &mut m, alt('p'));
    assert!(m.present);
    (s, m, l.items)
}

/// Every frame the test draws, by name: each screen in presentation mode, reached by keys or by
/// selecting a child's case.
fn frames(s: &mut Store, m: &mut Model, items: &[Id]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut shot = |name: String, m: &Model| out.push((name, screen(m)));
    shot("台帳".into(), m);
    pump(s, m, key(KeyCode::F(1)));
    shot("ヘルプ（台帳）".into(), m);
    pump(s, m, key(KeyCode::Esc));
    let cases: Vec<Id> = items.iter().map(|i| s.agenda_item(*i).unwrap().case_id).collect();
    for (n, case) in cases.iter().enumerate() {
        m.ledger.show_case(*case, &m.config, m.today);
        let detail = execute(s, Effect::Ledger(LedgerEffect::LoadDetail(*case))).unwrap();
        pump(s, m, detail);
        m.ledger.focus = LedgerFocus::Detail;
        for scroll in [0, 30, 60, 90] {
            m.ledger.detail_scroll = scroll;
            shot(format!("ケース詳細 {n} ({scroll}行目から)"), m);
        }
        m.ledger.focus = LedgerFocus::Table;
        m.ledger.detail_scroll = 0;
    }
    pump(s, m, alt('2'));
    for (n, item) in items.iter().enumerate() {
        for col in [Column::Quick, Column::Deep] {
            if let Some(at) = m.prep.column(col).iter().position(|&i| m.prep.items()[i].id == *item) {
                m.prep.focus = col;
                m.prep.selected[col as usize] = at;
            }
        }
        shot(format!("会議準備 {n}"), m);
    }
    pump(s, m, alt('3'));
    shot("会議進行（出欠）".into(), m);
    pump(s, m, key(KeyCode::Tab));
    shot("会議進行（役割分担の確認）".into(), m);
    pump(s, m, key(KeyCode::Char('e')));
    shot("会議進行（実施状況のメモ）".into(), m);
    pump(s, m, key(KeyCode::Esc));
    pump(s, m, key(KeyCode::Tab));
    for (n, item) in items.iter().enumerate() {
        if let Some(d) = &mut m.meeting.data {
            d.meeting.current_item = Some(*item);
        }
        shot(format!("会議進行 議題 {n}"), m);
        // The deep item's form (a pending deep item opens it with what the 事務局案 proposes).
        if n >= 3 {
            pump(s, m, key(KeyCode::Char('e')));
            shot(format!("会議進行 議題 {n} の記録フォーム"), m);
            pump(s, m, key(KeyCode::Esc));
            pump(s, m, key(KeyCode::Esc));
        }
    }
    pump(s, m, key(KeyCode::F(1)));
    shot("ヘルプ（会議進行）".into(), m);
    pump(s, m, key(KeyCode::Esc));
    pump(s, m, alt('4'));
    shot("年度統計".into(), m);
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    /// Ten people (five children on the agenda and a guardian of each, with variant kanji, an
    /// IVS, a middle-dot name and one-character given names); two of them typed into each of the
    /// 15 free-text fields of each child's case (150 insertions a ledger, each in a random one of
    /// the person's 16 spellings, 11 for ジョン・スミス: 155 in all, 129 distinct), and 39
    /// frames drawn at 160x45. Each frame is searched for all 129 spellings: 129 spellings × 15
    /// fields × 39 frames = 75,465 checks a ledger, 32 ledgers. Every frame also says 投影中.
    /// (Of the fields, 備考, 世帯の備考 and 協議結果のメモ are drawn on no screen of these, and 主訴
    /// is a private field presentation mode hides; they are typed in all the same.)
    #[test]
    fn no_presentation_frame_holds_a_name(
        (shift, picks) in masked_ledger::ledgers(),
    ) {
        let (mut s, mut m, items) = ledger(shift, &picks);
        let frames = frames(&mut s, &mut m, &items);
        let needles = needles();
        for (name, text) in &frames {
            let header = text.lines().next().unwrap_or("");
            prop_assert!(header.contains("投影中"), "{name}: {header}");
            for n in &needles {
                prop_assert!(!text.contains(n.as_str()), "{name} shows {n}:\n{text}");
            }
        }
    }
}

/// The cases the property test draws do show the typed text when not projecting (else the test
/// above would pass on empty screens), and the count in its comment is what it checks.
#[test]
fn the_frames_show_the_text_when_not_projecting() {
    let picks = vec![0; PICKS];
    let (mut s, mut m, items) = ledger(0, &picks);
    pump(&mut s, &mut m, alt('p'));
    assert!(!m.present);
    let frames = frames(&mut s, &mut m, &items);
    let needles = needles();
    let shown: usize = frames.iter().filter(|(_, t)| needles.iter().any(|n| t.contains(n.as_str()))).count();
    assert!(shown * 2 > frames.len(), "only {shown} of {} frames show a name unmasked", frames.len());
    assert_eq!((frames.len(), needles.len()), (39, 129), "the counts in the property test's comment");
}
