//! Forms over the screen: register a case, edit a case, close a case. Single-line fields use
//! tui-input, 援助方針 uses ratatui-textarea (soft wrap). Checking the input is pure: a bad
//! value leaves the form open with a Japanese message naming the field, and nothing is lost.

pub mod view;

use chrono::NaiveDate;
use ratatui::crossterm::event::{Event, KeyEvent};
use ratatui_textarea::{TextArea, WrapMode};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::msg::{Effect, SaveCase};
use crate::domain::meeting::SecretariatDraft;
use crate::domain::{
    AbuseType, Agency, AgendaItem, Case, CaseStatus, CgcInvolvement, Config, Id, Registration, Sex, wareki,
};

/// Which form, with what it needs to finish.
#[derive(Debug, Clone, PartialEq)]
pub enum FormKind {
    NewCase,
    /// Editing: the case as loaded (fields not on the form are kept).
    EditCase(Box<Case>),
    CloseCase {
        id: Id,
        number: String,
    },
    /// 会議進行: a deep item's record (状況, 評価, 決定, 援助方針, 役割分担, 次回確認).
    MeetingItem {
        meeting_id: Id,
        item_id: Id,
        case: Box<Case>,
    },
    /// 会議進行: an institution's attendance (with the agency's name).
    MeetingAttendance(Box<crate::domain::Attendance>, String),
    /// 会議進行: the review of an earlier meeting's action.
    ActionNote {
        meeting_id: Id,
        action: Box<crate::domain::Action>,
        number: String,
    },
    /// 事務局案 of an agenda item (the item as loaded; the draft is replaced).
    Draft {
        item: Box<AgendaItem>,
        number: String,
    },
    /// A question to one of the institutions involved in an agenda item's case.
    Ask {
        item: Id,
        number: String,
        agencies: Vec<(Id, String)>,
    },
    /// Where to write the pre-send packets of a meeting.
    Packets {
        meeting: Id,
    },
}

impl FormKind {
    pub fn title(&self) -> String {
        match self {
            FormKind::NewCase => "ケースの新規登録".into(),
            FormKind::EditCase(c) => format!("ケース {} の編集", c.number),
            FormKind::CloseCase { number, .. } => format!("ケース {number} の終結・移管"),
            FormKind::MeetingItem { .. } | FormKind::MeetingAttendance(..) | FormKind::ActionNote { .. } => {
                super::meeting::form_title(self)
            }
            FormKind::Draft { number, .. } => format!("ケース {number} の事務局案"),
            FormKind::Ask { number, .. } => format!("ケース {number} について機関への質問"),
            FormKind::Packets { .. } => "事前送付資料の出力".into(),
        }
    }
}

/// What a field is for; decides how its value is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKey {
    /// 出欠 of an agency at a meeting.
    Attendance,
    /// 実施状況 of an earlier meeting's action.
    ActionStatus,
    Number,
    Name,
    Kana,
    Sex,
    Birth,
    Due,
    Accepted,
    Registration,
    Rank,
    Abuse,
    Town,
    Concern,
    Affiliation,
    Grade,
    Lead,
    KeyWorker,
    Cgc,
    NextReview,
    Policy,
    CloseReason,
    CloseOn,
    CloseKind,
    Summary,
    Decision,
    Reason,
    NewLead,
    Actions,
    Notes,
    Person,
    Received,
    Note,
    DraftSummary,
    DraftPolicy,
    DraftRank,
    DraftNextReview,
    DraftClose,
    OutDir,
    AskAgency,
    AskText,
}

#[derive(Debug, Clone)]
pub enum FieldValue {
    Text(Input),
    /// A fixed list chosen with ←/→.
    Choice {
        options: Vec<String>,
        index: usize,
    },
    Multi(Box<TextArea<'static>>),
}

#[derive(Debug, Clone)]
pub struct Field {
    pub key: FieldKey,
    pub label: &'static str,
    pub required: bool,
    pub value: FieldValue,
}

impl Field {
    fn text(key: FieldKey, label: &'static str, required: bool, v: &str) -> Field {
        Field { key, label, required, value: FieldValue::Text(Input::new(v.to_string())) }
    }

    fn choice(key: FieldKey, label: &'static str, options: Vec<String>, current: &str) -> Field {
        let index = options.iter().position(|o| o == current).unwrap_or(0);
        Field { key, label, required: false, value: FieldValue::Choice { options, index } }
    }

    /// The text of the field as typed (choices: the chosen option).
    pub fn value(&self) -> String {
        match &self.value {
            FieldValue::Text(i) => i.value().to_string(),
            FieldValue::Choice { options, index } => options.get(*index).cloned().unwrap_or_default(),
            FieldValue::Multi(t) => t.lines().join("\n"),
        }
    }

    pub fn is_multiline(&self) -> bool {
        matches!(self.value, FieldValue::Multi(_))
    }
}

pub fn policy_area(text: &str) -> TextArea<'static> {
    let mut t = TextArea::new(text.lines().map(str::to_string).collect());
    t.set_wrap_mode(WrapMode::WordOrGlyph);
    t.set_cursor_line_style(ratatui::style::Style::default());
    t.set_placeholder_text("援助方針（Enter で改行）");
    t
}

#[derive(Debug, Clone)]
pub struct Form {
    pub kind: FormKind,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// The reason the last save was refused (Japanese, names the field).
    pub error: Option<String>,
    /// The values the form opened with, to tell whether anything was typed.
    initial: Vec<String>,
    /// Esc pressed once on a changed form waits for a second one.
    pub confirm: super::confirm::Confirm,
}

/// The rank choice that keeps the current rank.
const UNCHANGED: &str = "（変更なし）";

fn date_text(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y/%m/%d").to_string()).unwrap_or_default()
}

/// The typed lists behind the case forms' choices, in the order offered: a choice is read back
/// by its position in these, never by parsing the label shown.
const SEXES: [Sex; 3] = [Sex::Unknown, Sex::Male, Sex::Female];
const CLOSE_KINDS: [CaseStatus; 2] = [CaseStatus::Closed, CaseStatus::Transferred];

fn rank_options(config: &Config, reg: Registration) -> Vec<String> {
    config.rank_scheme(reg).ranks().iter().map(|r| r.code.clone()).collect()
}

/// A new case starts at the mildest rank, as `shinko ledger add` does.
fn rank_field(config: &Config, case: &Case) -> Field {
    let options = rank_options(config, case.registration);
    let current = if case.rank.is_empty() { options.last().cloned().unwrap_or_default() } else { case.rank.clone() };
    Field::choice(FieldKey::Rank, "ランク", options, &current)
}

impl Form {
    /// A form for a new case (`case` blank) or for editing one.
    pub fn for_case(kind: FormKind, case: &Case, agencies: &[Agency], config: &Config) -> Form {
        use FieldKey as K;
        let name_of = |id: Option<Id>| {
            id.and_then(|i| agencies.iter().find(|a| a.id == i)).map(|a| a.name.clone()).unwrap_or_default()
        };
        let regs = Registration::ALL.iter().map(|r| r.label().to_string()).collect();
        let sex_label = |s: Sex| if s == Sex::Unknown { "不明" } else { s.label() };
        let sexes = SEXES.into_iter().map(|s| sex_label(s).to_string()).collect();
        let cgcs = CgcInvolvement::ALL.iter().map(|c| c.label().to_string()).collect();
        let fields = vec![
            Field::text(K::Number, "ケース番号", true, &case.number),
            Field::text(K::Name, "氏名", true, &case.name),
            Field::text(K::Kana, "ふりがな", false, &case.kana),
            Field::choice(K::Sex, "性別", sexes, sex_label(case.sex)),
            Field::text(K::Birth, "生年月日", false, &date_text(case.birth_date)),
            Field::text(K::Due, "出産予定日", false, &date_text(case.due_date)),
            Field::text(K::Accepted, "受理日", true, &date_text(Some(case.accepted_on))),
            Field::choice(K::Registration, "登録区分", regs, case.registration.label()),
            rank_field(config, case),
            Field::text(K::Abuse, "虐待種別", false, &AbuseType::join(&case.abuse_types)),
            Field::text(K::Town, "町名", false, &case.town),
            Field::text(K::Concern, "主訴", false, &case.presenting_concern),
            Field::text(K::Affiliation, "所属機関", false, &name_of(case.affiliation)),
            Field::text(K::Grade, "学年・クラス", false, &case.grade),
            Field::text(K::Lead, "主担当機関", false, &name_of(case.lead_agency)),
            Field::text(K::KeyWorker, "主たる援助者", false, &case.key_worker),
            Field::choice(K::Cgc, "児相の関与", cgcs, case.cgc.label()),
            Field::text(K::NextReview, "次回確認日", false, &date_text(case.next_review)),
            Field {
                key: K::Policy,
                label: "援助方針",
                required: false,
                value: FieldValue::Multi(Box::new(policy_area(&case.support_policy))),
            },
        ];
        Form::new(kind, fields)
    }

    pub fn for_close(id: Id, number: &str, today: NaiveDate) -> Form {
        use FieldKey as K;
        let kinds = CLOSE_KINDS.iter().map(|s| s.label().to_string()).collect();
        Form::new(
            FormKind::CloseCase { id, number: number.to_string() },
            vec![
                Field::text(K::CloseReason, "理由", true, ""),
                Field::text(K::CloseOn, "終結日", true, &date_text(Some(today))),
                Field::choice(K::CloseKind, "区分", kinds, CaseStatus::Closed.label()),
            ],
        )
    }

    /// A form of the caller's own fields (the meeting screen's forms).
    pub fn with_fields(kind: FormKind, fields: Vec<Field>) -> Form {
        Form::new(kind, fields)
    }

    /// The 事務局案 of an agenda item; `ranks` are the case's rank codes.
    pub fn for_draft(item: &AgendaItem, number: &str, ranks: Vec<String>) -> Form {
        use FieldKey as K;
        let d = &item.draft;
        let multi = |key, label, text: &str, hint: &str| {
            let mut t = policy_area(text);
            t.set_placeholder_text(hint);
            Field { key, label, required: false, value: FieldValue::Multi(Box::new(t)) }
        };
        let mut rank_options = vec![UNCHANGED.to_string()];
        rank_options.extend(ranks);
        Form::new(
            FormKind::Draft { item: Box::new(item.clone()), number: number.to_string() },
            vec![
                multi(K::DraftSummary, "状況", &d.summary, "状況（Enter で改行）"),
                multi(K::DraftPolicy, "援助方針", &d.policy, "援助方針（Enter で改行）"),
                Field::choice(K::DraftRank, "ランク", rank_options, d.rank.as_deref().unwrap_or(UNCHANGED)),
                Field::text(K::DraftNextReview, "次回確認日", false, &date_text(d.next_review)),
                Field::text(K::DraftClose, "終結の提案（理由）", false, d.close_reason.as_deref().unwrap_or("")),
            ],
        )
    }

    /// A question to an institution; `agencies` are the case's involved ones (id, name).
    pub fn for_ask(item: Id, number: &str, agencies: Vec<(Id, String)>) -> Form {
        let names = agencies.iter().map(|(_, n)| n.clone()).collect::<Vec<_>>();
        let first = names.first().cloned().unwrap_or_default();
        Form::new(
            FormKind::Ask { item, number: number.to_string(), agencies },
            vec![
                Field::choice(FieldKey::AskAgency, "機関", names, &first),
                Field::text(FieldKey::AskText, "説明してほしいこと", true, ""),
            ],
        )
    }

    /// The folder for a meeting's packets, proposed as `dir`.
    pub fn for_packets(meeting: Id, dir: &str) -> Form {
        Form::new(FormKind::Packets { meeting }, vec![Field::text(FieldKey::OutDir, "出力先フォルダ", true, dir)])
    }

    fn new(kind: FormKind, fields: Vec<Field>) -> Form {
        let initial = fields.iter().map(Field::value).collect();
        Form { kind, fields, focus: 0, error: None, initial, confirm: Default::default() }
    }

    /// Whether anything differs from what the form opened with.
    pub fn is_changed(&self) -> bool {
        self.fields.iter().map(Field::value).ne(self.initial.iter().cloned())
    }

    pub fn focused(&self) -> &Field {
        &self.fields[self.focus]
    }

    pub fn focused_is_multiline(&self) -> bool {
        self.focused().is_multiline()
    }

    pub fn get(&self, key: FieldKey) -> String {
        self.fields.iter().find(|f| f.key == key).map(Field::value).unwrap_or_default()
    }

    /// The 登録区分 chosen (it decides which ranks are offered).
    fn registration(&self) -> Registration {
        self.chosen(FieldKey::Registration)
            .and_then(|i| Registration::ALL.get(i).copied())
            .unwrap_or(Registration::NeedsSupport)
    }

    /// The position of the option chosen in a choice field, to index the typed list the options
    /// were made from (never parsed back from the label shown).
    pub fn chosen(&self, key: FieldKey) -> Option<usize> {
        self.fields.iter().find(|f| f.key == key).and_then(|f| match &f.value {
            FieldValue::Choice { index, .. } => Some(*index),
            _ => None,
        })
    }

    pub fn move_focus(&mut self, forward: bool) {
        let n = self.fields.len();
        self.focus = if forward { (self.focus + 1) % n } else { (self.focus + n - 1) % n };
    }

    /// ←/→ on a choice field. Changing 登録区分 changes the ranks offered.
    pub fn cycle_choice(&mut self, forward: bool, config: &Config) -> bool {
        let key = self.focused().key;
        let FieldValue::Choice { options, index } = &mut self.fields[self.focus].value else {
            return false;
        };
        let n = options.len().max(1);
        *index = if forward { (*index + 1) % n } else { (*index + n - 1) % n };
        if key == FieldKey::Registration {
            let reg = self.registration();
            let current = self.get(FieldKey::Rank);
            if let Some(f) = self.fields.iter_mut().find(|f| f.key == FieldKey::Rank) {
                let options = rank_options(config, reg);
                let index = options.iter().position(|o| *o == current).unwrap_or(options.len().saturating_sub(1));
                f.value = FieldValue::Choice { options, index };
            }
        }
        true
    }

    /// Passes a key to the focused text field.
    pub fn input_key(&mut self, key: KeyEvent) {
        match &mut self.fields[self.focus].value {
            FieldValue::Text(i) => {
                i.handle_event(&Event::Key(key));
            }
            FieldValue::Multi(t) => {
                t.input(key);
            }
            FieldValue::Choice { .. } => {}
        }
    }

    /// Inserts pasted text. Single-line fields take the first line only.
    pub fn paste(&mut self, text: &str) {
        match &mut self.fields[self.focus].value {
            FieldValue::Text(i) => {
                let line = text.lines().next().unwrap_or("");
                let mut v = i.value().to_string();
                let at = v.char_indices().nth(i.cursor()).map(|(b, _)| b).unwrap_or(v.len());
                v.insert_str(at, line);
                *i = Input::new(v).with_cursor(i.cursor() + line.chars().count());
            }
            FieldValue::Multi(t) => {
                t.insert_str(text);
            }
            FieldValue::Choice { .. } => {}
        }
    }

    /// Checks the form and returns the effect that saves it, or the Japanese reason it cannot.
    pub fn submit(&self, config: &Config, today: NaiveDate) -> Result<Effect, String> {
        for f in &self.fields {
            if f.required && f.value().trim().is_empty() {
                return Err(format!("{}: 入力してください", f.label));
            }
        }
        match &self.kind {
            FormKind::CloseCase { id, .. } => {
                let on = parse_date_field(self, FieldKey::CloseOn, "終結日")?.unwrap_or(today);
                let status = self
                    .chosen(FieldKey::CloseKind)
                    .and_then(|i| CLOSE_KINDS.get(i).copied())
                    .unwrap_or(CaseStatus::Closed);
                Ok(Effect::CloseCase {
                    id: *id,
                    status,
                    on,
                    reason: self.get(FieldKey::CloseReason).trim().to_string(),
                })
            }
            FormKind::MeetingItem { .. } | FormKind::MeetingAttendance(..) | FormKind::ActionNote { .. } => {
                super::meeting::submit_form(self, config)
            }
            FormKind::Draft { item, number } => {
                let text = |k| Some(self.get(k).trim().to_string()).filter(|s| !s.is_empty());
                let draft = SecretariatDraft {
                    summary: self.get(FieldKey::DraftSummary).trim_end().to_string(),
                    policy: self.get(FieldKey::DraftPolicy).trim_end().to_string(),
                    rank: text(FieldKey::DraftRank).filter(|r| r != UNCHANGED),
                    next_review: parse_date_field(self, FieldKey::DraftNextReview, "次回確認日")?,
                    close_reason: text(FieldKey::DraftClose),
                };
                Ok(Effect::EditAgenda {
                    edit: super::msg::AgendaEdit::Draft(item.id, draft),
                    message: format!("ケース {number} の事務局案を保存しました"),
                    select: item.id,
                })
            }
            FormKind::Ask { item, number, agencies } => {
                let name = self.get(FieldKey::AskAgency);
                let agency_id =
                    agencies.iter().find(|(_, n)| *n == name).map(|(id, _)| *id).ok_or("機関: 選んでください")?;
                Ok(Effect::EditAgenda {
                    edit: super::msg::AgendaEdit::Ask(
                        *item,
                        crate::domain::meeting::Question {
                            agency_id,
                            text: self.get(FieldKey::AskText).trim().to_string(),
                        },
                    ),
                    message: format!("ケース {number} について「{name}」への質問を加えました"),
                    select: *item,
                })
            }
            FormKind::Packets { meeting } => Ok(Effect::ExportPackets {
                meeting: *meeting,
                dir: std::path::PathBuf::from(self.get(FieldKey::OutDir).trim()),
                config: Box::new(config.clone()),
            }),
            FormKind::NewCase => self.case_effect(Case::blank(today), true, config, today),
            FormKind::EditCase(c) => self.case_effect((**c).clone(), false, config, today),
        }
    }

    fn case_effect(&self, mut c: Case, new: bool, config: &Config, today: NaiveDate) -> Result<Effect, String> {
        use FieldKey as K;
        c.number = self.get(K::Number).trim().to_string();
        c.name = self.get(K::Name).trim().to_string();
        c.kana = self.get(K::Kana).trim().to_string();
        c.sex = self.chosen(K::Sex).and_then(|i| SEXES.get(i).copied()).unwrap_or_default();
        c.birth_date = parse_date_field(self, K::Birth, "生年月日")?;
        c.due_date = parse_date_field(self, K::Due, "出産予定日")?;
        c.accepted_on = parse_date_field(self, K::Accepted, "受理日")?.unwrap_or(today);
        c.registration = self.registration();
        c.rank = self.get(K::Rank);
        if config.rank_scheme(c.registration).get(&c.rank).is_none() {
            return Err(format!("ランク: 「{}」は{}のランクにありません", c.rank, c.registration.label()));
        }
        c.abuse_types = AbuseType::parse_list(&self.get(K::Abuse)).map_err(|e| format!("虐待種別: {e}"))?;
        c.town = self.get(K::Town).trim().to_string();
        c.presenting_concern = self.get(K::Concern).trim().to_string();
        c.grade = self.get(K::Grade).trim().to_string();
        c.key_worker = self.get(K::KeyWorker).trim().to_string();
        c.cgc = self.chosen(K::Cgc).and_then(|i| CgcInvolvement::ALL.get(i).copied()).unwrap_or_default();
        c.support_policy = self.get(K::Policy).trim_end().to_string();
        c.next_review = parse_date_field(self, K::NextReview, "次回確認日")?;
        if new && c.next_review.is_none() {
            let cal = config.business_calendar();
            c.next_review = Some(config.rank_scheme(c.registration).next_review(&c.rank, today, &cal));
        }
        if let Err(errs) = c.validate() {
            let (field, msg) = &errs[0];
            return Err(format!("{field}: {msg}"));
        }
        let name = |k| Some(self.get(k).trim().to_string()).filter(|s| !s.is_empty());
        Ok(Effect::SaveCase(Box::new(SaveCase {
            case: c,
            affiliation: name(K::Affiliation),
            lead_agency: name(K::Lead),
        })))
    }
}

/// An empty field is None; anything else must be a date in 西暦 or 和暦.
fn parse_date_field(form: &Form, key: FieldKey, label: &str) -> Result<Option<NaiveDate>, String> {
    let v = form.get(key);
    if v.trim().is_empty() {
        return Ok(None);
    }
    wareki::parse_date(&v).map(Some).map_err(|e| format!("{label}: {e}"))
}
