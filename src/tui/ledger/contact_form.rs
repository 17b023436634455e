//! The contact form (経過記録の追加): date, kind, the agency (typed ahead over the registered
//! ones), 目視確認 and a short note. Opened from the case detail and the meeting screen; what
//! it stores goes through `Tx::record_contact`, as `shinko contacts add` does.

use chrono::NaiveDate;

use crate::domain::Agency;
use crate::domain::contact::ContactKind;
use crate::store::contacts::NewContact;
use crate::tui::form::{Field, Form, date_text};

/// The fields of the contact form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactField {
    Date,
    Kind,
    Agency,
    Seen,
    Note,
}

/// 目視確認 as offered; いいえ first, so a contact saved without a look leaves the child counted
/// as unseen (the safe side).
const SEEN: [(bool, &str); 2] = [(false, "いいえ"), (true, "はい（子どもを目視で確認した）")];

/// A contact form for one case.
#[derive(Debug, Clone)]
pub struct ContactForm {
    pub case_id: crate::domain::Id,
    pub number: String,
    pub form: Form<ContactField>,
}

impl ContactForm {
    /// Today, 家庭訪問, the case's 主担当 as the agency (who usually makes the contact).
    pub fn new(case_id: crate::domain::Id, number: &str, lead: &str, agencies: &[Agency], today: NaiveDate) -> Self {
        use ContactField as K;
        let kinds = ContactKind::ALL.iter().map(|k| k.label().to_string()).collect();
        let seen = SEEN.iter().map(|(_, l)| l.to_string()).collect();
        let fields = vec![
            Field::text(K::Date, "日付", true, &date_text(Some(today))),
            Field::choice_at(K::Kind, "種別", kinds, 0),
            Field::text(K::Agency, "機関", true, lead).picking_agencies(agencies),
            Field::choice_at(K::Seen, "目視確認", seen, 0),
            Field::multi(K::Note, "記録", "", "要旨（200字まで。Enter で改行）"),
        ];
        ContactForm {
            case_id,
            number: number.to_string(),
            form: Form::new(format!("ケース {number} の経過記録"), fields),
        }
    }

    /// The contact to record, or the Japanese reason it cannot be read (the store checks the
    /// rest: the date against today and the case, the agency against the registered ones).
    pub fn submit(&self, today: NaiveDate) -> Result<NewContact, String> {
        use ContactField as K;
        let f = &self.form;
        let date = f.date_near(K::Date, "日付", today)?.unwrap_or(today);
        let kind = f.chosen(K::Kind).and_then(|i| ContactKind::ALL.get(i).copied()).unwrap_or(ContactKind::HomeVisit);
        let seen = f.chosen(K::Seen).and_then(|i| SEEN.get(i)).is_some_and(|(s, _)| *s);
        let agency = f.text(K::Agency).ok_or("機関: 入力してください")?;
        Ok(NewContact { case_id: self.case_id, date, kind, agency, seen, note: f.get(K::Note).trim().to_string() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::AgencyKind;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn agencies() -> Vec<Agency> {
        vec![Agency {
            id: 3,
            code: "HC".into(),
            name: "保健センター".into(),
            kind: AgencyKind::HealthCentre,
            contact: String::new(),
        }]
    }

    #[test]
    fn the_form_reads_back_what_was_chosen() {
        let mut f = ContactForm::new(7, "R8-001", "保健センター", &agencies(), d(2026, 12, 2));
        let got = f.submit(d(2026, 12, 2)).unwrap();
        assert_eq!(
            (got.date, got.kind, got.seen, got.agency.as_str()),
            (d(2026, 12, 2), ContactKind::HomeVisit, false, "保健センター")
        );
        f.form.focus = 3;
        f.form.cycle_choice(true);
        f.form.focus = 1;
        f.form.cycle_choice(true);
        f.form.set_text(ContactField::Date, "R8.11.20");
        f.form.focus = 4;
        for c in "母子と面談".chars() {
            f.form.input_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
        let got = f.submit(d(2026, 12, 2)).unwrap();
        assert_eq!((got.date, got.kind, got.seen), (d(2026, 11, 20), ContactKind::Interview, true));
        assert_eq!(got.note, "母子と面談");
    }

    #[test]
    fn an_unreadable_date_and_an_empty_agency_are_named() {
        let mut f = ContactForm::new(7, "R8-001", "", &agencies(), d(2026, 12, 2));
        assert!(f.submit(d(2026, 12, 2)).unwrap_err().starts_with("機関"));
        f.form.set_text(ContactField::Agency, "保健");
        f.form.set_text(ContactField::Date, "先週");
        assert!(f.submit(d(2026, 12, 2)).unwrap_err().starts_with("日付"));
    }
}
