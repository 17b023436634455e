//! The meeting screen's forms: a deep item's record, an institution's attendance, the review
//! of an earlier action. What is typed in them is kept as a draft on every change.

use super::{MeetingData, MeetingEffect};
use crate::domain::meeting::live::{DeepForm, DraftKey};
use crate::domain::{Action, ActionStatus, Attendance, AttendanceStatus, Case, Config, DecisionKind, Id, wareki};
use crate::tui::form::{Field, Form, date_text};
use crate::tui::screen::Ctx;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeetingField {
    Summary,
    Rank,
    Decision,
    Reason,
    /// 終結理由区分 of a 終結/移管.
    Category,
    NewLead,
    Policy,
    Actions,
    NextReview,
    Notes,
    /// 出欠 of an agency at the meeting.
    Attendance,
    Person,
    Received,
    /// 実施状況 of an earlier meeting's action.
    ActionStatus,
    /// 実施日 of an action found done.
    DoneOn,
    Note,
}

#[derive(Debug, Clone, PartialEq)]
pub enum MeetingFormKind {
    /// A deep item's record (状況, 評価, 決定, 援助方針, 役割分担, 次回確認).
    Item { meeting_id: Id, item_id: Id, case: Box<Case> },
    /// An institution's attendance (with the agency's name).
    Attendance(Box<Attendance>, String),
    /// The review of an earlier meeting's action.
    ActionNote { meeting_id: Id, action: Box<Action>, number: String },
}

#[derive(Debug, Clone)]
pub struct MeetingForm {
    pub kind: MeetingFormKind,
    pub form: Form<MeetingField>,
}

/// The first choice of 終結理由区分: none chosen yet (recording a closing asks for one).
const CHOOSE: &str = "（選んでください）";

/// The choices of a review, in the order offered.
const REVIEW_STATUSES: [ActionStatus; 4] =
    [ActionStatus::Done, ActionStatus::NotPossible, ActionStatus::NotDone, ActionStatus::Open];

/// Whether two drafts hold the same values (where the cursor was does not count: moving
/// between fields saves nothing; the place is kept with the next change).
pub fn same_content(a: &str, b: &str) -> bool {
    let values = |body: &str| {
        let mut v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.remove("focus");
        }
        v
    };
    values(a) == values(b)
}

impl MeetingForm {
    /// The deep item form, filled from `df` (a draft, the recorded decision or the 事務局案).
    pub fn item(meeting_id: Id, item_id: Id, case: &Case, df: &DeepForm, cx: &Ctx) -> MeetingForm {
        use MeetingField as K;
        let scheme = cx.config.rank_scheme(case.registration);
        let ranks: Vec<String> = scheme.ranks().iter().map(|r| r.code.clone()).collect();
        let kinds: Vec<String> = DecisionKind::ALL.iter().map(|k| k.label().to_string()).collect();
        let categories: Vec<String> =
            std::iter::once(CHOOSE.to_string()).chain(cx.config.closing.categories.iter().cloned()).collect();
        let category = if df.category.trim().is_empty() { CHOOSE } else { df.category.trim() };
        let fields = vec![
            Field::multi(K::Summary, "状況", &df.summary, "状況（各機関からの報告。Enter で改行）").at_end(),
            Field::choice(K::Rank, "評価（ランク）", ranks, &df.rank).showing(|r| scheme.describe(r)),
            Field::choice(K::Decision, "決定", kinds, &df.kind),
            Field::text(K::Reason, "理由（終結等）", false, &df.reason),
            Field::choice(K::Category, "終結理由区分", categories, category),
            Field::text(K::NewLead, "新主担当機関", false, &df.new_lead).picking_agencies(cx.agencies),
            Field::multi(K::Policy, "援助方針", &df.policy, "援助方針（Enter で改行）").at_end(),
            Field::multi(K::Actions, "役割分担", &df.actions, "1行に1件: 機関／担当者／内容／期限")
                .at_end()
                .picking_agencies(cx.agencies),
            Field::text(K::NextReview, "次回確認日", false, &df.next_review),
            Field::multi(K::Notes, "メモ", &df.notes, "メモ（Enter で改行）").at_end(),
        ];
        let mut f = MeetingForm {
            kind: MeetingFormKind::Item { meeting_id, item_id, case: Box::new(case.clone()) },
            form: Form::new(format!("ケース {} の協議結果", case.number), fields).keeping_drafts(),
        };
        f.follow_decision();
        f
    }

    /// 理由 applies to 終結 and 移管 only, 新主担当機関 to 主担当機関変更 only: otherwise Tab passes
    /// over them, so a 継続 record is 状況, Tab ×4 to 役割分担, F10.
    /// 実施日 applies only to 実施済: otherwise it is dimmed and Tab passes over it.
    pub fn follow_action_status(&mut self) {
        let status = self.form.chosen(MeetingField::ActionStatus).and_then(|i| REVIEW_STATUSES.get(i).copied());
        self.form.set_idle(MeetingField::DoneOn, status != Some(ActionStatus::Done));
    }

    pub fn follow_decision(&mut self) {
        let kind = self.form.chosen(MeetingField::Decision).and_then(|i| DecisionKind::ALL.get(i).copied());
        let ends = matches!(kind, Some(DecisionKind::Close | DecisionKind::Transfer));
        self.form.set_idle(MeetingField::Reason, !ends);
        self.form.set_idle(MeetingField::Category, !ends);
        self.form.set_idle(MeetingField::NewLead, kind != Some(DecisionKind::ChangeLead));
    }

    pub fn attendance(rec: Attendance, agency: String, d: &MeetingData) -> MeetingForm {
        let statuses = AttendanceStatus::ALL.iter().map(|s| s.label().to_string()).collect();
        let fields = vec![
            Field::choice(MeetingField::Attendance, "出欠", statuses, rec.status.label()),
            Field::text(MeetingField::Person, "担当者", false, &rec.person),
            Field::text(MeetingField::Received, "情報提供の受領日", false, &date_text(rec.info_received_on)),
        ];
        let title = format!("{agency} の出欠");
        MeetingForm {
            kind: MeetingFormKind::Attendance(Box::new(rec), agency),
            form: Form::new(title, fields).keeping_drafts(),
        }
        .restored(d)
    }

    pub fn action_note(meeting_id: Id, a: Action, number: &str, d: &MeetingData) -> MeetingForm {
        let statuses = REVIEW_STATUSES.iter().map(|s| s.label().to_string()).collect();
        let fields = vec![
            Field::choice(MeetingField::ActionStatus, "実施状況", statuses, a.status.label()),
            Field::text(MeetingField::DoneOn, "実施日", false, &date_text(a.done_on)),
            Field::multi(MeetingField::Note, "メモ", &a.review_note, "理由・経過（状況の変化など）").at_end(),
        ];
        let mut f = MeetingForm {
            kind: MeetingFormKind::ActionNote { meeting_id, action: Box::new(a), number: number.to_string() },
            form: Form::new(format!("ケース {number} の役割分担の確認"), fields).keeping_drafts(),
        }
        .restored(d);
        f.follow_action_status();
        f
    }

    /// The draft key of an attendance or review form (their drafts are the fields' values).
    fn small_key(&self) -> Option<DraftKey> {
        match &self.kind {
            MeetingFormKind::Attendance(a, _) => Some(DraftKey::Attendance(a.agency_id)),
            MeetingFormKind::ActionNote { action, .. } => Some(DraftKey::ActionReview(action.id)),
            MeetingFormKind::Item { .. } => None,
        }
    }

    /// Puts back what was typed in a small form before a crash (or before Esc).
    fn restored(mut self, d: &MeetingData) -> MeetingForm {
        let Some(key) = self.small_key() else { return self };
        let values = d
            .drafts
            .iter()
            .find(|(k, _)| *k == key)
            .and_then(|(_, body)| serde_json::from_str::<Vec<String>>(body).ok());
        if let Some(values) = values {
            self.form.restore(values);
        }
        self
    }

    /// The deep item form's values.
    pub fn deep(&self) -> DeepForm {
        use MeetingField as K;
        let f = &self.form;
        DeepForm {
            summary: f.get(K::Summary),
            rank: f.get(K::Rank),
            kind: f.get(K::Decision),
            reason: f.get(K::Reason),
            category: Some(f.get(K::Category)).filter(|c| c != CHOOSE).unwrap_or_default(),
            new_lead: f.get(K::NewLead),
            policy: f.get(K::Policy),
            actions: f.get(K::Actions),
            next_review: f.get(K::NextReview),
            notes: f.get(K::Notes),
        }
    }

    /// What the form would save as a draft: (meeting, key, body).
    pub fn draft(&self, meeting_id: Id) -> Option<(Id, DraftKey, String)> {
        if let Some(key) = self.small_key() {
            return Some((meeting_id, key, serde_json::to_string(&self.form.values()).ok()?));
        }
        self.item_draft(Some(self.form.focus))
    }

    /// The deep form's draft as the form is closed with Esc: what was typed stays, and a
    /// restart does not open the form again.
    pub fn closed_draft(&self) -> Option<(Id, DraftKey, String)> {
        self.item_draft(None)
    }

    /// A deep form's draft keeps the field the facilitator was in (none: the form was closed),
    /// so a restart reopens it there.
    fn item_draft(&self, focus: Option<usize>) -> Option<(Id, DraftKey, String)> {
        let MeetingFormKind::Item { meeting_id, item_id, .. } = &self.kind else { return None };
        let mut body = serde_json::to_value(self.deep()).ok()?;
        body.as_object_mut()?.insert("focus".into(), focus.into());
        Some((*meeting_id, DraftKey::Item(*item_id), body.to_string()))
    }
}

/// Where a deep form's draft says the facilitator was: `Some(field)` while the form was open
/// (drafts from before this was kept: the first field), None once it was closed.
pub fn draft_focus(body: &str) -> Option<usize> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    match v.get("focus") {
        None => Some(0),
        Some(f) => f.as_u64().map(|n| n as usize),
    }
}

impl MeetingForm {
    /// The effect that stores the form, or the Japanese reason it cannot. Dates without a year
    /// are the ones nearest to `near` (the item's day).
    pub fn submit(
        &self,
        config: &Config,
        near: chrono::NaiveDate,
        new_agencies: bool,
    ) -> Result<MeetingEffect, String> {
        use MeetingField as K;
        let f = &self.form;
        match &self.kind {
            MeetingFormKind::Item { item_id, case, .. } => {
                let mut rec = self.deep().check(config, case, near)?;
                rec.new_agencies = new_agencies;
                let categories = config.closing.categories.clone();
                Ok(MeetingEffect::Record { item_id: *item_id, record: Box::new(rec), next: None, categories })
            }
            MeetingFormKind::Attendance(rec, _) => {
                let mut a = (**rec).clone();
                a.status =
                    f.chosen(K::Attendance).and_then(|i| AttendanceStatus::ALL.get(i).copied()).unwrap_or(a.status);
                a.person = f.get(K::Person).trim().to_string();
                a.info_received_on = match f.get(K::Received).trim() {
                    "" => None,
                    t => Some(wareki::parse_date_near(t, near).map_err(|e| format!("情報提供の受領日: {e}"))?),
                };
                if a.info_received_on.is_some() && a.status != AttendanceStatus::InfoSent {
                    return Err("情報提供の受領日: 出欠が「欠席（情報提供あり）」のときだけ入力できます".into());
                }
                Ok(MeetingEffect::Attend(a))
            }
            MeetingFormKind::ActionNote { meeting_id, action, .. } => {
                let status =
                    f.chosen(K::ActionStatus).and_then(|i| REVIEW_STATUSES.get(i).copied()).unwrap_or(action.status);
                let done_on = match f.get(K::DoneOn).trim() {
                    "" => None,
                    t => Some(wareki::parse_date_near(t, near).map_err(|e| format!("実施日: {e}"))?),
                };
                if done_on.is_some() && status != ActionStatus::Done {
                    return Err(format!("実施日: 実施状況が「{}」のときだけ入力できます", ActionStatus::Done.label()));
                }
                Ok(MeetingEffect::Review {
                    meeting_id: *meeting_id,
                    action_id: action.id,
                    status,
                    note: f.get(K::Note).trim().to_string(),
                    done_on,
                    // A review form's dates are read near today (`update::form_day`).
                    today: near,
                })
            }
        }
    }
}
