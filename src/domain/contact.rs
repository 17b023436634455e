//! 経過記録: the contacts with a case between meetings (家庭訪問, 面接, 電話, …), who made them,
//! and whether the child was seen (目視確認); and the one rule of when a child was last seen.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Id;
use super::case::{Case, Registration};
use super::sheet::AssessmentSheet;

/// 接触の種別, as the standard 経過記録 form lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub enum ContactKind {
    /// 家庭訪問
    HomeVisit,
    /// 面接 (来所・面談)
    Interview,
    /// 電話
    Phone,
    /// 所属機関への確認 (the school or nursery asked how the child is)
    AffiliationCheck,
    /// 関係機関からの連絡
    AgencyReport,
}

impl ContactKind {
    pub const ALL: [ContactKind; 5] = [
        ContactKind::HomeVisit,
        ContactKind::Interview,
        ContactKind::Phone,
        ContactKind::AffiliationCheck,
        ContactKind::AgencyReport,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ContactKind::HomeVisit => "家庭訪問",
            ContactKind::Interview => "面接",
            ContactKind::Phone => "電話",
            ContactKind::AffiliationCheck => "所属機関への確認",
            ContactKind::AgencyReport => "関係機関からの連絡",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            ContactKind::HomeVisit => "home_visit",
            ContactKind::Interview => "interview",
            ContactKind::Phone => "phone",
            ContactKind::AffiliationCheck => "affiliation_check",
            ContactKind::AgencyReport => "agency_report",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    /// The label, the code, and the short forms written on paper records (訪問, 来所, TEL …).
    pub fn parse(s: &str) -> Option<Self> {
        let t = s.trim();
        Self::ALL.into_iter().find(|k| k.label() == t || k.code() == t).or(match t {
            "訪問" | "家庭" => Some(ContactKind::HomeVisit),
            "面談" | "来所" | "来庁" => Some(ContactKind::Interview),
            "TEL" | "tel" | "電話連絡" => Some(ContactKind::Phone),
            "所属確認" | "所属" | "所属機関" => Some(ContactKind::AffiliationCheck),
            "連絡" | "関係機関" | "情報提供" => Some(ContactKind::AgencyReport),
            _ => None,
        })
    }

    /// Every label, for an error that says what is accepted.
    pub fn labels() -> String {
        Self::ALL.iter().map(|k| k.label()).collect::<Vec<_>>().join("・")
    }
}

/// One entry of a case's 経過記録.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub id: Id,
    pub case_id: Id,
    pub date: NaiveDate,
    pub kind: ContactKind,
    /// The registered agency that made or reported the contact.
    pub agency_id: Id,
    /// 目視確認: the child was seen.
    pub seen: bool,
    pub note: String,
}

/// The most characters of a contact's note: a line or two, as on the form; the details
/// belong in the case file.
pub const NOTE_MAX_CHARS: usize = 200;

/// Why a contact cannot be recorded on `case` (field label, Japanese reason), if it cannot.
/// A contact after the case was closed is refused: the secretariat's next contact with a
/// closed family is a new referral (a re-registered case linked to this one), and a record
/// on the closed case would be read by no meeting. A late entry of a contact made before
/// the closing is accepted.
pub fn check(contact: &Contact, case: &Case, today: NaiveDate) -> Result<(), (&'static str, String)> {
    let d = contact.date;
    if d > today {
        return Err(("日付", format!("{d} は今日（{today}）より後の日付です。接触は行った後に記録してください")));
    }
    if d < case.accepted_on {
        return Err((
            "日付",
            format!(
                "{d} はケース {} の受理日（{}）より前です。日付かケース番号を確かめてください",
                case.number, case.accepted_on
            ),
        ));
    }
    if let Some(cl) = case.closure.as_ref().filter(|cl| d > cl.on) {
        return Err((
            "ケース",
            format!(
                "ケース {} は {} に{}しています。その後の接触は記録できません（再び関わる場合は再受理のケースとして登録してください）",
                case.number,
                cl.on,
                case.status.label()
            ),
        ));
    }
    super::text::check(&contact.note, super::text::Kind::Text).map_err(|m| ("記録", m))?;
    let n = contact.note.chars().count();
    if n > NOTE_MAX_CHARS {
        return Err((
            "記録",
            format!("記録は{NOTE_MAX_CHARS}字までです（{n}字）。詳しい内容はケース記録に書いてください"),
        ));
    }
    Ok(())
}

/// The contacts with a case since the last meeting, as the meeting screen and the minutes say
/// them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ContactSummary {
    pub count: usize,
    /// Of which with 目視確認.
    pub seen: usize,
    /// The newest contact: (date, kind).
    pub last: Option<(NaiveDate, ContactKind)>,
}

impl ContactSummary {
    pub fn of<'a>(contacts: impl IntoIterator<Item = &'a Contact>) -> ContactSummary {
        let mut s = ContactSummary::default();
        for c in contacts {
            s.count += 1;
            s.seen += usize::from(c.seen);
            if s.last.is_none_or(|(on, _)| c.date >= on) {
                s.last = Some((c.date, c.kind));
            }
        }
        s
    }

    /// 「前回以降の接触 3件（目視 2件、最終 R8.11.20 家庭訪問）」, or 「前回以降の接触 なし」.
    pub fn line(&self) -> String {
        match self.last {
            None => "前回以降の接触 なし".to_string(),
            Some((on, kind)) => format!(
                "前回以降の接触 {}件（目視 {}件、最終 {} {}）",
                self.count,
                self.seen,
                super::wareki::format_short(on),
                kind.label()
            ),
        }
    }
}

/// The year's contacts for the statistics: how many of each kind, and with 目視確認.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ContactCounts {
    pub total: usize,
    pub seen: usize,
    /// (kind label, count) in the form's order.
    pub by_kind: Vec<(String, usize)>,
}

impl ContactCounts {
    /// The contacts dated within `from..=to`.
    pub fn of<'a>(contacts: impl IntoIterator<Item = &'a Contact>, from: NaiveDate, to: NaiveDate) -> ContactCounts {
        let mut n = [0usize; ContactKind::ALL.len()];
        let mut out = ContactCounts::default();
        for c in contacts.into_iter().filter(|c| from <= c.date && c.date <= to) {
            n[ContactKind::ALL.iter().position(|k| *k == c.kind).unwrap_or(0)] += 1;
            out.total += 1;
            out.seen += usize::from(c.seen);
        }
        out.by_kind = ContactKind::ALL.iter().zip(n).map(|(k, c)| (k.label().to_string(), c)).collect();
        out
    }

    /// 「42件（家庭訪問 20・面接 5・…、目視確認 25件）」.
    pub fn text(&self) -> String {
        let kinds: Vec<String> = self.by_kind.iter().map(|(k, n)| format!("{k} {n}")).collect();
        format!("{}件（{}、目視確認 {}件）", self.total, kinds.join("・"), self.seen)
    }
}

/// Who last saw the child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SeenBy {
    /// A contact with 目視確認.
    Contact(ContactKind),
    /// An institution's assessment sheet (it sees the child to fill it in).
    Sheet { agency_id: Id },
}

/// The last day the child was seen by anyone outside the family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Sighting {
    pub on: NaiveDate,
    pub by: SeenBy,
}

/// The one rule of when a child was last seen: the later of the newest contact with 目視確認
/// and the newest sheet from an institution (its 記入日, else the end of its period). On the
/// same day the contact is named, as the more direct record.
pub fn last_sighting(contact: Option<(NaiveDate, ContactKind)>, sheet: Option<(NaiveDate, Id)>) -> Option<Sighting> {
    let c = contact.map(|(on, k)| Sighting { on, by: SeenBy::Contact(k) });
    let s = sheet.map(|(on, agency_id)| Sighting { on, by: SeenBy::Sheet { agency_id } });
    match (c, s) {
        (Some(c), Some(s)) => Some(if s.on > c.on { s } else { c }),
        (c, s) => c.or(s),
    }
}

/// The newest contact with 目視確認 among `contacts`.
pub fn newest_seen<'a>(contacts: impl IntoIterator<Item = &'a Contact>) -> Option<(NaiveDate, ContactKind)> {
    contacts.into_iter().filter(|c| c.seen).max_by_key(|c| (c.date, c.id)).map(|c| (c.date, c.kind))
}

/// The newest sheet among `sheets`, by the day the institution saw the child for it: its
/// 記入日, else the end of its period.
pub fn newest_sheet<'a>(sheets: impl IntoIterator<Item = &'a AssessmentSheet>) -> Option<(NaiveDate, Id)> {
    sheets.into_iter().map(|s| (s.written_on.unwrap_or(s.period), s.agency_id)).max()
}

/// Whether the child needs seeing at all: an expectant mother's case is about the mother
/// before the birth.
pub fn has_child(registration: Registration) -> bool {
    registration != Registration::ExpectantMother
}

/// The first day that counts as "seen recently" on `day`: a child last seen before it has
/// not been seen within `days` days.
pub fn seen_cutoff(day: NaiveDate, days: i64) -> NaiveDate {
    day - chrono::Duration::days(days)
}

/// Whether a child last seen on `last` (None: never) has gone unseen for more than `days`
/// days on `day`.
pub fn unseen(last: Option<NaiveDate>, day: NaiveDate, days: i64) -> bool {
    last.is_none_or(|on| on < seen_cutoff(day, days))
}

/// The last sighting as a fact on `day`: 「最終目視確認 R8.9.1（家庭訪問）から91日」 or
/// 「目視確認の記録なし」 (the triage reason, the case detail's line). `agency` names a sheet's
/// institution.
pub fn sighting_fact(last: Option<&Sighting>, day: NaiveDate, agency: impl Fn(Id) -> String) -> String {
    match last {
        None => NEVER_SEEN.to_string(),
        Some(s) => {
            let by = match s.by {
                SeenBy::Contact(k) => k.label().to_string(),
                SeenBy::Sheet { agency_id } => format!("{}のシート", agency(agency_id)),
            };
            format!("最終目視確認 {}（{by}）から{}日", super::wareki::format_short(s.on), (day - s.on).num_days())
        }
    }
}

/// The reason for a child of whom nobody has recorded seeing.
pub const NEVER_SEEN: &str = "目視確認の記録なし";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{CaseStatus, Closure};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn contact(on: NaiveDate) -> Contact {
        Contact {
            id: 0,
            case_id: 1,
            date: on,
            kind: ContactKind::HomeVisit,
            agency_id: 1,
            seen: true,
            note: "母と面談".into(),
        }
    }

    fn case() -> Case {
        let mut c = Case::blank(d(2026, 4, 1));
        c.number = "R8-001".into();
        c
    }

    #[test]
    fn kinds_parse_from_labels_codes_and_paper_forms() {
        for k in ContactKind::ALL {
            assert_eq!(ContactKind::parse(k.label()), Some(k));
            assert_eq!(ContactKind::from_code(k.code()), Some(k));
        }
        assert_eq!(ContactKind::parse(" 訪問 "), Some(ContactKind::HomeVisit));
        assert_eq!(ContactKind::parse("TEL"), Some(ContactKind::Phone));
        assert_eq!(ContactKind::parse("手紙"), None);
    }

    #[test]
    fn a_future_date_is_refused() {
        let e = check(&contact(d(2026, 12, 3)), &case(), d(2026, 12, 2)).unwrap_err();
        assert_eq!(e.0, "日付");
        assert!(e.1.contains("今日（2026-12-02）より後"), "{}", e.1);
        assert!(check(&contact(d(2026, 12, 2)), &case(), d(2026, 12, 2)).is_ok(), "today is fine");
    }

    #[test]
    fn a_date_before_registration_is_refused() {
        let e = check(&contact(d(2026, 3, 31)), &case(), d(2026, 12, 2)).unwrap_err();
        assert!(e.1.contains("受理日（2026-04-01）より前"), "{}", e.1);
    }

    #[test]
    fn a_contact_after_closing_is_refused_and_one_before_it_accepted() {
        let mut c = case();
        c.status = CaseStatus::Closed;
        c.closure =
            Some(Closure { on: d(2026, 10, 1), reason: "改善".into(), meeting_id: None, category: String::new() });
        let e = check(&contact(d(2026, 10, 2)), &c, d(2026, 12, 2)).unwrap_err();
        assert!(e.1.contains("2026-10-01 に終結") && e.1.contains("再受理"), "{}", e.1);
        assert!(check(&contact(d(2026, 9, 30)), &c, d(2026, 12, 2)).is_ok(), "a late entry of an earlier visit");
    }

    #[test]
    fn a_long_note_is_refused() {
        let mut x = contact(d(2026, 5, 1));
        x.note = "あ".repeat(NOTE_MAX_CHARS + 1);
        let e = check(&x, &case(), d(2026, 12, 2)).unwrap_err();
        assert_eq!(e.0, "記録");
        assert!(e.1.contains("201字"), "{}", e.1);
    }

    #[test]
    fn the_later_sighting_counts_and_the_reason_states_the_fact() {
        let visit = Some((d(2026, 9, 1), ContactKind::HomeVisit));
        let sheet = Some((d(2026, 8, 31), 7));
        let last = last_sighting(visit, sheet).unwrap();
        assert_eq!(last.by, SeenBy::Contact(ContactKind::HomeVisit));
        assert_eq!(
            sighting_fact(Some(&last), d(2026, 12, 1), |_| "東小".into()),
            "最終目視確認 R8.9.1（家庭訪問）から91日"
        );
        let later_sheet = last_sighting(visit, Some((d(2026, 9, 2), 7))).unwrap();
        assert_eq!(
            sighting_fact(Some(&later_sheet), d(2026, 12, 1), |_| "東小".into()),
            "最終目視確認 R8.9.2（東小のシート）から90日"
        );
        assert_eq!(sighting_fact(None, d(2026, 12, 1), |_| String::new()), "目視確認の記録なし");
    }

    #[test]
    fn the_summary_line_counts_and_names_the_newest() {
        let a = contact(d(2026, 10, 1));
        let b =
            Contact { id: 2, date: d(2026, 11, 20), seen: false, kind: ContactKind::Phone, ..contact(d(2026, 11, 20)) };
        let c = Contact { id: 3, ..contact(d(2026, 11, 2)) };
        assert_eq!(ContactSummary::of([&a, &b, &c]).line(), "前回以降の接触 3件（目視 2件、最終 R8.11.20 電話）");
        assert_eq!(ContactSummary::of([]).line(), "前回以降の接触 なし");
    }

    #[test]
    fn the_year_counts_contacts_by_kind_within_its_days() {
        let a = contact(d(2026, 4, 1));
        let b = Contact { kind: ContactKind::Phone, seen: false, ..contact(d(2027, 3, 31)) };
        let outside = contact(d(2026, 3, 31));
        let counts = ContactCounts::of([&a, &b, &outside], d(2026, 4, 1), d(2027, 3, 31));
        assert_eq!((counts.total, counts.seen), (2, 1));
        assert_eq!(
            counts.text(),
            "2件（家庭訪問 1・面接 0・電話 1・所属機関への確認 0・関係機関からの連絡 0、目視確認 1件）"
        );
    }

    #[test]
    fn unseen_counts_whole_days() {
        let day = d(2026, 12, 1);
        assert!(!unseen(Some(d(2026, 9, 2)), day, 90), "90 days ago is within 90 days");
        assert!(unseen(Some(d(2026, 9, 1)), day, 90), "91 days ago is not");
        assert!(unseen(None, day, 90));
    }
}
