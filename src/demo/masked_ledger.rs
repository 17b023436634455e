//! The ledger the masking property tests share (presentation-mode frames in
//! `tui::present_tests`, masked outputs in `exchange::masked_outputs_tests`): the demo town with
//! its next meeting's first agenda cases renamed to the children of [`PEOPLE`], a guardian of
//! each from the rest, and every free-text field naming people in the spellings a facilitator
//! types.

use chrono::NaiveDate;

use crate::domain::mask::spelling::{PEOPLE, TEXTS, spellings};
use crate::domain::meeting::live::{ActionLine, DeepRecord};
use crate::domain::meeting::{Question, SecretariatDraft};
use crate::domain::{ActionStatus, Agency, Config, DecisionKind, Id, Track};
use crate::store::Store;
use crate::store::contacts::NewContact;

/// The children on the agenda (PEOPLE[..CHILDREN]); each has one guardian from the rest.
pub(crate) const CHILDREN: usize = 5;

/// The free-text fields a name is typed into, per child's case.
pub(crate) const FIELDS: [&str; 15] = [
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

/// How many spelling picks a ledger takes (two people in each field of each child's case).
pub(crate) const PICKS: usize = CHILDREN * FIELDS.len() * 2;

/// A random ledger: which person goes first (`shift`) and the spelling of each insertion.
pub(crate) fn ledgers() -> impl proptest::strategy::Strategy<Value = (usize, Vec<usize>)> {
    (0usize..PEOPLE.len(), proptest::collection::vec(0usize..64, PICKS))
}

pub(crate) fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
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

fn text(child: usize, field: &str, shift: usize, picks: &[usize]) -> String {
    typed(child, FIELDS.iter().position(|f| *f == field).unwrap(), shift, picks)
}

/// The guardian line of a child's case: 「母：林 花子（はやし はなこ）」.
fn guardian(child: usize) -> String {
    let (name, kana, _) = PEOPLE[CHILDREN + child];
    if kana.is_empty() { format!("父：{name}") } else { format!("母：{name}（{kana}）") }
}

/// The built ledger: the store (its next meeting started) and the agenda item ids of the
/// children's cases, in PEOPLE order (two quick items, then three deep).
pub(crate) struct MaskedLedger {
    pub store: Store,
    pub meeting: Id,
    pub items: Vec<Id>,
    /// The institution asked, given the actions, and visiting.
    agency: Agency,
    shift: usize,
    picks: Vec<usize>,
}

impl MaskedLedger {
    /// What is typed into `field` of child `child`'s case.
    pub(crate) fn text(&self, child: usize, field: &str) -> String {
        text(child, field, self.shift, &self.picks)
    }

    /// Records deep item `child` as `kind` (a Close with the first closing category), every
    /// free-text field naming people, with one action.
    pub(crate) fn record_deep(&mut self, child: usize, kind: DecisionKind) {
        let item = self.store.agenda_item(self.items[child]).unwrap();
        let case = self.store.case(item.case_id).unwrap();
        let config = Config::default();
        let close = kind == DecisionKind::Close;
        let rec = DeepRecord {
            summary: self.text(child, "協議結果の状況"),
            rank: case.rank.clone(),
            kind,
            reason: self.text(child, "協議結果の理由"),
            category: if close { config.closing.categories[0].clone() } else { String::new() },
            new_lead: None,
            policy: self.text(child, "協議結果の援助方針"),
            actions: if close {
                Vec::new()
            } else {
                vec![ActionLine {
                    agency: self.agency.name.clone(),
                    owner: "担任".into(),
                    what: self.text(child, "役割分担"),
                    due: Some(today() + chrono::Days::new(30)),
                }]
            },
            next_review: (!close).then(|| today() + chrono::Days::new(60)),
            review_moved: None,
            notes: self.text(child, "協議結果のメモ"),
            new_agencies: false,
        };
        self.store.record_item(item.id, &rec, &config.closing.categories, None).unwrap();
    }
}

/// The demo town with its next meeting's first agenda cases renamed to the children of PEOPLE
/// and every free-text field naming people; the meeting started, the open actions of the
/// children's cases reviewed, one quick item accepted and one deep item recorded.
pub(crate) fn build(shift: usize, picks: &[usize]) -> MaskedLedger {
    let mut s = Store::open_in_memory().unwrap();
    super::generate(&mut s, super::Scale::Takahama, 2024, today()).unwrap();
    let meeting = s.meetings().unwrap().into_iter().find(|m| m.status == crate::domain::MeetingStatus::Planned);
    let meeting = meeting.expect("the demo's next meeting").id;
    let agenda = s.agenda(meeting).unwrap();
    // Two quick and three deep items, so both tracks and both ways of deciding are drawn.
    let mut items: Vec<_> = agenda.iter().filter(|i| i.track == Track::Quick).take(2).cloned().collect();
    items.extend(agenda.iter().filter(|i| i.track == Track::Deep).take(CHILDREN - 2).cloned());
    assert_eq!(items.len(), CHILDREN);
    let agency = s.agencies().unwrap().into_iter().find(|a| a.kind != crate::domain::AgencyKind::Secretariat).unwrap();
    for (child, item) in items.iter().enumerate() {
        let t = |field: &str| text(child, field, shift, picks);
        let mut c = s.case(item.case_id).unwrap();
        let (name, kana, _) = PEOPLE[child];
        c.name = name.into();
        c.kana = kana.into();
        c.people = guardian(child);
        c.presenting_concern = t("主訴");
        c.support_policy = t("援助方針");
        c.notes = t("備考");
        s.write(|w| w.save_case(&c)).unwrap();
        if let Some(h) = c.household_id {
            let mut hh = s.household(h).unwrap();
            hh.note = t("世帯の備考");
            s.write(|w| w.save_household(&hh).map(|_| ())).unwrap();
        }
        let draft = SecretariatDraft {
            summary: t("事務局案の状況"),
            policy: t("事務局案の援助方針"),
            // The first quick item is accepted as proposed: it continues.
            close_reason: (child != 0).then(|| t("終結案")),
            ..item.draft.clone()
        };
        s.write(|w| w.set_item_draft(item.id, &draft, None)).unwrap();
        s.write(|w| w.add_question(item.id, &Question { agency_id: agency.id, text: t("質問") })).unwrap();
        let contact = NewContact {
            case_id: c.id,
            date: today(),
            kind: crate::domain::contact::ContactKind::HomeVisit,
            agency: agency.name.clone(),
            seen: true,
            note: t("経過記録"),
        };
        s.write(|w| w.record_contact(&contact, today()).map(|_| ())).unwrap();
    }
    s.start_meeting(meeting).unwrap();
    let mut l = MaskedLedger {
        store: s,
        meeting,
        items: items.iter().map(|i| i.id).collect(),
        agency,
        shift,
        picks: picks.to_vec(),
    };
    // Open actions of earlier meetings get a note; those of the children's cases name people.
    for a in l.store.actions_to_review(meeting).unwrap() {
        if let Some(child) = items.iter().position(|i| i.case_id == a.case_id) {
            let mut edited = a.clone();
            edited.what = l.text(child, "役割分担");
            let note = l.text(child, "実施状況のメモ");
            let s = &mut l.store;
            s.write(|w| w.save_action(&edited).map(|_| ())).unwrap();
            s.review_action(meeting, a.id, ActionStatus::Done, &note, Some(today()), today()).unwrap();
        }
    }
    l.store.accept_item(&Config::default(), items[0].id, None).unwrap();
    l.record_deep(2, DecisionKind::Continue);
    l
}

/// Every spelling of every person, as an output is searched for it: a one-character name part
/// is a name only before an honorific (the masker leaves 林 in 森林 readable), so it is looked for
/// with the honorific; longer spellings are looked for bare.
pub(crate) fn needles() -> Vec<String> {
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
