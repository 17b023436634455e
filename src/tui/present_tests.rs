//! Presentation mode holds no name on any screen: the property test over the frames (the TUI
//! half of the masking property test; the masker's own is in `domain::mask`).

use proptest::prelude::*;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::ledger::{LedgerEffect, LedgerFocus};
use super::model::Model;
use super::msg::{Effect, Msg};
use super::prep::Column;
use super::runtime::execute;
use super::tests::{demo_at, key, pump, screen, today};
use crate::domain::mask::spelling::{PEOPLE, TEXTS, spellings};
use crate::domain::meeting::live::{ActionLine, DeepRecord};
use crate::domain::meeting::{Question, SecretariatDraft};
use crate::domain::{ActionStatus, DecisionKind, Id, Track};
use crate::store::Store;
use crate::store::contacts::NewContact;

/// The children on the agenda (PEOPLE[..CHILDREN]); each has one guardian from the rest.
const CHILDREN: usize = 5;

/// The free-text fields a name is typed into, per child's case.
const FIELDS: [&str; 15] = [
    "主訴",
    "援助方針",
    "備考",
    "世帯の備考",
    "事務局案の状況",
    "事務局案の援助方針",
    "終結案",
    "質問",
    "経過記録",
    "役割分担",
    "実施状況のメモ",
    "協議結果の状況",
    "協議結果の援助方針",
    "協議結果の理由",
    "協議結果のメモ",
];

fn alt(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT))
}

/// What is typed into field `f` of child `child`'s case: two people of the ten (which ones turns
/// with the field and the child, so over the fields every person is in every kind of field), each
/// in the spelling `picks` chooses.
fn typed(child: usize, f: usize, shift: usize, picks: &[usize]) -> String {
    let mut out = Vec::new();
    for slot in 0..2 {
        let who = (shift + child * FIELDS.len() + f + slot * 3) % PEOPLE.len();
        let (name, kana, common) = PEOPLE[who];
        let all = spellings(name, kana, common);
        let pick = picks[(child * FIELDS.len() + f) * 2 + slot];
        out.push(TEXTS[(f + slot) % TEXTS.len()].replace("{}", &all[pick % all.len()]));
    }
    out.join("。")
}

/// The guardian line of a child's case: 「母：林 花子（はやし はなこ）」.
fn guardian(child: usize) -> String {
    let (name, kana, _) = PEOPLE[CHILDREN + child];
    if kana.is_empty() { format!("父：{name}") } else { format!("母：{name}（{kana}）") }
}

/// The demo town with its next meeting's first agenda cases renamed to the children of PEOPLE
/// and every free-text field naming people; the meeting started, one quick item accepted and
/// one deep item recorded. Returns the agenda item ids of the children's cases.
fn ledger(shift: usize, picks: &[usize]) -> (Store, Model, Vec<Id>) {
    let (mut s, _) = demo_at(160, 45);
    let meeting = s.meetings().unwrap().into_iter().find(|m| m.status == crate::domain::MeetingStatus::Planned);
    let meeting = meeting.expect("the demo's next meeting").id;
    let agenda = s.agenda(meeting).unwrap();
    // Two quick and three deep items, so both tracks and both ways of deciding are drawn.
    let mut items: Vec<_> = agenda.iter().filter(|i| i.track == Track::Quick).take(2).cloned().collect();
    items.extend(agenda.iter().filter(|i| i.track == Track::Deep).take(CHILDREN - 2).cloned());
    assert_eq!(items.len(), CHILDREN);
    let agency = s.agencies().unwrap().into_iter().find(|a| a.kind != crate::domain::AgencyKind::Secretariat).unwrap();
    let t = |child: usize, field: &str| typed(child, FIELDS.iter().position(|f| *f == field).unwrap(), shift, picks);
    for (child, item) in items.iter().enumerate() {
        let mut c = s.case(item.case_id).unwrap();
        let (name, kana, _) = PEOPLE[child];
        c.name = name.into();
        c.kana = kana.into();
        c.people = guardian(child);
        c.presenting_concern = t(child, "主訴");
        c.support_policy = t(child, "援助方針");
        c.notes = t(child, "備考");
        s.write(|w| w.save_case(&c)).unwrap();
        if let Some(h) = c.household_id {
            let mut hh = s.household(h).unwrap();
            hh.note = t(child, "世帯の備考");
            s.write(|w| w.save_household(&hh).map(|_| ())).unwrap();
        }
        let draft = SecretariatDraft {
            summary: t(child, "事務局案の状況"),
            policy: t(child, "事務局案の援助方針"),
            // The first quick item is accepted as proposed: it continues.
            close_reason: (child != 0).then(|| t(child, "終結案")),
            ..item.draft.clone()
        };
        s.write(|w| w.set_item_draft(item.id, &draft, None)).unwrap();
        s.write(|w| w.add_question(item.id, &Question { agency_id: agency.id, text: t(child, "質問") })).unwrap();
        let contact = NewContact {
            case_id: c.id,
            date: today(),
            kind: crate::domain::contact::ContactKind::HomeVisit,
            agency: agency.name.clone(),
            seen: true,
            note: t(child, "経過記録"),
        };
        s.write(|w| w.record_contact(&contact, today()).map(|_| ())).unwrap();
    }
    s.start_meeting(meeting).unwrap();
    // Open actions of earlier meetings get a note; those of the children's cases name people.
    for a in s.actions_to_review(meeting).unwrap() {
        if let Some(child) = items.iter().position(|i| i.case_id == a.case_id) {
            let mut edited = a.clone();
            edited.what = t(child, "役割分担");
            s.write(|w| w.save_action(&edited).map(|_| ())).unwrap();
            s.review_action(meeting, a.id, ActionStatus::Done, &t(child, "実施状況のメモ"), Some(today()), today())
                .unwrap();
        }
    }
    let config = crate::domain::Config::default();
    s.accept_item(&config, items[0].id, None).unwrap();
    let deep = &items[2];
    let case = s.case(deep.case_id).unwrap();
    let rec = DeepRecord {
        summary: t(2, "協議結果の状況"),
        rank: case.rank.clone(),
        kind: DecisionKind::Continue,
        reason: t(2, "協議結果の理由"),
        category: String::new(),
        new_lead: None,
        policy: t(2, "協議結果の援助方針"),
        actions: vec![ActionLine {
            agency: agency.name.clone(),
            owner: "担任".into(),
            what: t(2, "役割分担"),
            due: Some(today() + chrono::Days::new(30)),
        }],
        next_review: Some(today() + chrono::Days::new(60)),
        review_moved: None,
        notes: t(2, "協議結果のメモ"),
        new_agencies: false,
    };
    s.record_item(deep.id, &rec, &config.closing.categories, None).unwrap();
    let mut m = Model::new(config, today(), super::keymap::Keymap::defaults(), "demo.db".into());
    pump(&mut s, &mut m, Msg::Resize(160, 45));
    let loaded = execute(&mut s, Effect::Ledger(LedgerEffect::Load { select: None })).unwrap();
    pump(&mut s, &mut m, loaded);
    pump(&mut s, &mut m, alt('p'));
    assert!(m.present);
    (s, m, items.iter().map(|i| i.id).collect())
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

/// Every spelling of every person, as the frames are searched for it: a one-character name part
/// is a name only before an honorific (the masker leaves 林 in 森林 readable), so it is looked for
/// with the honorific; longer spellings are looked for bare.
fn needles() -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (name, kana, common) in PEOPLE {
        for s in spellings(name, kana, common) {
            let bare = s.trim_end_matches("さん");
            let n = if bare.chars().filter(|c| !('\u{E0100}'..='\u{E01EF}').contains(c)).count() >= 2 {
                bare.to_string()
            } else {
                s.clone()
            };
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
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
        shift in 0usize..PEOPLE.len(),
        picks in proptest::collection::vec(0usize..64, CHILDREN * FIELDS.len() * 2),
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
    let picks = vec![0; CHILDREN * FIELDS.len() * 2];
    let (mut s, mut m, items) = ledger(0, &picks);
    pump(&mut s, &mut m, alt('p'));
    assert!(!m.present);
    let frames = frames(&mut s, &mut m, &items);
    let needles = needles();
    let shown: usize = frames.iter().filter(|(_, t)| needles.iter().any(|n| t.contains(n.as_str()))).count();
    assert!(shown * 2 > frames.len(), "only {shown} of {} frames show a name unmasked", frames.len());
    assert_eq!((frames.len(), needles.len()), (39, 129), "the counts in the property test's comment");
}
