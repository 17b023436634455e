//! The ledger's forms: register a case, edit a case, close (or transfer) a case, and the
//! urgent report (`urgent_form`).

use chrono::NaiveDate;

use super::{LedgerEffect, SaveCase};
use crate::domain::{
    AbuseType, Agency, Case, CaseStatus, CgcInvolvement, Config, Id, Registration, ReportDesignation, Sex,
};
use crate::tui::form::{Field, Form, date_text};

/// The first choice of 終結理由区分: none chosen yet (submitting asks for one).
const CHOOSE: &str = "（選んでください）";

/// The fields of the ledger's forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseField {
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
    MonthlyReport,
    NextReview,
    Policy,
    People,
    CloseReason,
    CloseOn,
    CloseKind,
    CloseCategory,
    UrgentAgency,
    UrgentSince,
    UrgentContact,
    UrgentMoved,
    UrgentReason,
    UrgentRemarks,
    UrgentWriter,
}

/// Which form, with what it needs to finish.
#[derive(Debug, Clone, PartialEq)]
pub enum CaseFormKind {
    New,
    /// Editing: the case as loaded (fields not on the form are kept).
    Edit(Box<Case>),
    Close {
        id: Id,
        number: String,
    },
    /// 随時報告 for the case, from the institutions offered (in the order shown).
    Urgent {
        id: Id,
        number: String,
        agencies: Vec<Id>,
    },
}

#[derive(Debug, Clone)]
pub struct CaseForm {
    pub kind: CaseFormKind,
    pub form: Form<CaseField>,
}

/// The typed lists behind the choices, in the order offered: a choice is read back by its
/// position in these, never by parsing the label shown.
const SEXES: [Sex; 3] = [Sex::Unknown, Sex::Male, Sex::Female];
const CLOSE_KINDS: [CaseStatus; 2] = [CaseStatus::Closed, CaseStatus::Transferred];

fn rank_options(config: &Config, reg: Registration) -> Vec<String> {
    config.rank_scheme(reg).ranks().iter().map(|r| r.code.clone()).collect()
}

/// A new case starts at the mildest rank, as `shinko ledger add` does.
fn rank_field(config: &Config, case: &Case) -> Field<CaseField> {
    let options = rank_options(config, case.registration);
    let current = if case.rank.is_empty() { options.last().cloned().unwrap_or_default() } else { case.rank.clone() };
    let scheme = config.rank_scheme(case.registration);
    Field::choice(CaseField::Rank, "ランク", options, &current).showing(|r| scheme.describe(r))
}

impl CaseForm {
    /// A form for a new case (`case` blank) or for editing one.
    pub fn for_case(kind: CaseFormKind, case: &Case, agencies: &[Agency], config: &Config) -> CaseForm {
        use CaseField as K;
        let name_of = |id| crate::tui::screen::agency_name(agencies, id).to_string();
        let regs = Registration::ALL.iter().map(|r| r.label().to_string()).collect();
        let sex_label = |s: Sex| if s == Sex::Unknown { "不明" } else { s.label() };
        let sexes = SEXES.into_iter().map(|s| sex_label(s).to_string()).collect();
        let cgcs = CgcInvolvement::ALL.iter().map(|c| c.label().to_string()).collect();
        let designations = ReportDesignation::ALL.iter().map(|d| d.label().to_string()).collect();
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
            Field::text(K::Affiliation, "所属機関", false, &name_of(case.affiliation)).picking_agencies(agencies),
            Field::text(K::Grade, "学年・クラス", false, &case.grade),
            Field::text(K::Lead, "主担当機関", false, &name_of(case.lead_agency)).picking_agencies(agencies),
            Field::text(K::KeyWorker, "主たる援助者", false, &case.key_worker),
            Field::choice(K::Cgc, "児相の関与", cgcs, case.cgc.label()),
            Field::choice(K::MonthlyReport, "月次報告", designations, case.monthly_report.label()),
            Field::text(K::NextReview, "次回確認日", false, &date_text(case.next_review)),
            Field::multi(K::People, "保護者・同居人", &case.people, "1行に1人: 続柄：氏名（ふりがな）"),
            Field::multi(K::Policy, "援助方針", &case.support_policy, "援助方針（Enter で改行）"),
        ];
        let title = match &kind {
            CaseFormKind::Edit(c) => format!("ケース {} の編集", c.number),
            _ => "ケースの新規登録".to_string(),
        };
        CaseForm { kind, form: Form::new(title, fields) }
    }

    pub fn for_close(id: Id, number: &str, today: NaiveDate, config: &Config) -> CaseForm {
        use CaseField as K;
        let kinds = CLOSE_KINDS.iter().map(|s| s.label().to_string()).collect();
        // The category the yearly statistics count (the reason itself stays in the ledger).
        let categories = std::iter::once(CHOOSE.to_string()).chain(config.closing.categories.iter().cloned()).collect();
        let fields = vec![
            Field::text(K::CloseReason, "理由", true, ""),
            Field::text(K::CloseOn, "終結日", true, &date_text(Some(today))),
            Field::choice(K::CloseKind, "区分", kinds, CaseStatus::Closed.label()),
            Field::choice(K::CloseCategory, "終結理由区分", categories, CHOOSE),
        ];
        CaseForm {
            kind: CaseFormKind::Close { id, number: number.to_string() },
            form: Form::new(format!("ケース {number} の終結・移管"), fields),
        }
    }

    /// The 登録区分 chosen (it decides which ranks are offered).
    fn registration(&self) -> Registration {
        self.form
            .chosen(CaseField::Registration)
            .and_then(|i| Registration::ALL.get(i).copied())
            .unwrap_or(Registration::NeedsSupport)
    }

    /// A choice changed: a new 登録区分 offers its own ranks, keeping the rank if it has it.
    pub fn on_chose(&mut self, key: CaseField, config: &Config) {
        if key != CaseField::Registration {
            return;
        }
        let current = self.form.get(CaseField::Rank);
        let options = rank_options(config, self.registration());
        let index = options.iter().position(|o| *o == current).unwrap_or(options.len().saturating_sub(1));
        let scheme = config.rank_scheme(self.registration());
        self.form.set_options(CaseField::Rank, options, index, |r| scheme.describe(r));
    }

    /// The effect that stores the form, or the Japanese reason it cannot.
    pub fn submit(&self, config: &Config, today: NaiveDate, new_agencies: bool) -> Result<LedgerEffect, String> {
        match &self.kind {
            CaseFormKind::Close { id, .. } => {
                let on = self.form.date_near(CaseField::CloseOn, "終結日", today)?.unwrap_or(today);
                let status = self
                    .form
                    .chosen(CaseField::CloseKind)
                    .and_then(|i| CLOSE_KINDS.get(i).copied())
                    .unwrap_or(CaseStatus::Closed);
                let reason = self.form.get(CaseField::CloseReason).trim().to_string();
                let categories = config.closing.categories.clone();
                let chosen = self.form.get(CaseField::CloseCategory);
                let chosen = if chosen == CHOOSE { "" } else { chosen.as_str() };
                let category = crate::domain::config::check_closing_category(&categories, chosen)?.to_string();
                Ok(LedgerEffect::CloseCase { id: *id, status, on, reason, category, categories })
            }
            CaseFormKind::Urgent { id, agencies, .. } => self.urgent_effect(*id, agencies, config, today),
            CaseFormKind::New => self.case_effect(Case::blank(today), true, config, today, new_agencies),
            CaseFormKind::Edit(c) => self.case_effect((**c).clone(), false, config, today, new_agencies),
        }
    }

    fn case_effect(
        &self,
        mut c: Case,
        new: bool,
        config: &Config,
        today: NaiveDate,
        new_agencies: bool,
    ) -> Result<LedgerEffect, String> {
        use CaseField as K;
        let f = &self.form;
        let before = (!new).then(|| c.clone());
        c.number = f.get(K::Number).trim().to_string();
        c.name = f.get(K::Name).trim().to_string();
        c.kana = f.get(K::Kana).trim().to_string();
        c.sex = f.chosen(K::Sex).and_then(|i| SEXES.get(i).copied()).unwrap_or_default();
        c.birth_date = f.date(K::Birth, "生年月日")?;
        c.due_date = f.date(K::Due, "出産予定日")?;
        c.accepted_on = f.date(K::Accepted, "受理日")?.unwrap_or(today);
        c.registration = self.registration();
        c.rank = f.get(K::Rank);
        if config.rank_scheme(c.registration).get(&c.rank).is_none() {
            return Err(format!("ランク: 「{}」は{}のランクにありません", c.rank, c.registration.label()));
        }
        c.abuse_types = AbuseType::parse_list(&f.get(K::Abuse)).map_err(|e| format!("虐待種別: {e}"))?;
        c.town = f.get(K::Town).trim().to_string();
        c.presenting_concern = f.get(K::Concern).trim().to_string();
        c.grade = f.get(K::Grade).trim().to_string();
        c.key_worker = f.get(K::KeyWorker).trim().to_string();
        c.cgc = f.chosen(K::Cgc).and_then(|i| CgcInvolvement::ALL.get(i).copied()).unwrap_or_default();
        c.monthly_report =
            f.chosen(K::MonthlyReport).and_then(|i| ReportDesignation::ALL.get(i).copied()).unwrap_or_default();
        c.support_policy = f.get(K::Policy).trim_end().to_string();
        c.people = f.get(K::People).trim_end().to_string();
        c.next_review = f.date_near(K::NextReview, "次回確認日", today)?;
        crate::domain::rank::next_review_after_edit(&mut c, before.as_ref(), today, config);
        if let Err(errs) = c.validate() {
            let (field, msg) = &errs[0];
            return Err(format!("{field}: {msg}"));
        }
        Ok(LedgerEffect::SaveCase(Box::new(SaveCase {
            case: c,
            affiliation: f.text(K::Affiliation),
            lead_agency: f.text(K::Lead),
            new_agencies,
        })))
    }
}
