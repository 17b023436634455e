//! 随時報告: an institution's urgent news entered by hand from the case detail (a school
//! phoned in a week's absence). It builds the same report `shinko reports add` does
//! (`attendance::urgent_report`), and the store raises the same alerts.

use chrono::NaiveDate;

use super::LedgerEffect;
use super::case_form::{CaseField, CaseForm, CaseFormKind};
use crate::domain::attendance::{UrgentNews, urgent_report};
use crate::domain::{Agency, Config, Id};
use crate::tui::form::{Field, Form};

const CONTACT: [&str; 2] = ["家庭から連絡なし", "家庭から連絡あり"];
const MOVED: [&str; 2] = ["なし", "転居・転出の知らせあり"];

impl CaseForm {
    /// The form for case `id`: the institutions offered with its own 所属機関 first.
    pub fn for_urgent(id: Id, number: &str, affiliation: Option<Id>, agencies: &[Agency]) -> CaseForm {
        use CaseField as K;
        let mut ids: Vec<Id> = agencies.iter().filter(|a| a.kind.is_institution()).map(|a| a.id).collect();
        ids.sort_by_key(|i| Some(*i) != affiliation);
        let names = ids.iter().map(|i| crate::tui::screen::agency_name(agencies, Some(*i)).to_string()).collect();
        let fields = vec![
            Field::choice_at(K::UrgentAgency, "報告機関", names, 0),
            Field::text(K::UrgentSince, "欠席の初日", false, ""),
            Field::choice_at(K::UrgentContact, "家庭の連絡", CONTACT.map(String::from).to_vec(), 0),
            Field::choice_at(K::UrgentMoved, "転居・転出", MOVED.map(String::from).to_vec(), 0),
            Field::text(K::UrgentReason, "欠席理由", false, ""),
            Field::multi(K::UrgentRemarks, "特記事項", "", "聞き取った気になる様子（Enter で改行）"),
            Field::text(K::UrgentWriter, "連絡者", false, ""),
        ];
        CaseForm {
            kind: CaseFormKind::Urgent { id, number: number.to_string(), agencies: ids },
            form: Form::new(format!("ケース {number} の随時報告（電話等）"), fields),
        }
    }

    /// The report to store, or why not: the absence is counted on business days to today.
    pub(super) fn urgent_effect(
        &self,
        id: Id,
        agencies: &[Id],
        config: &Config,
        today: NaiveDate,
    ) -> Result<LedgerEffect, String> {
        use CaseField as K;
        let f = &self.form;
        let Some(agency) = f.chosen(K::UrgentAgency).and_then(|i| agencies.get(i).copied()) else {
            return Err("報告機関: 所属機関（学校・保育所など）が登録されていません".into());
        };
        let since = f.date_near(K::UrgentSince, "欠席の初日", today)?;
        if since.is_some_and(|d| d > today) {
            return Err("欠席の初日: 今日より後の日です".into());
        }
        let news = UrgentNews {
            absent_since: since,
            unnotified: f.chosen(K::UrgentContact) == Some(0) && since.is_some(),
            moved: f.chosen(K::UrgentMoved) == Some(1),
            remarks: f.get(K::UrgentRemarks),
            reason: f.get(K::UrgentReason),
            writer: f.get(K::UrgentWriter),
        };
        if news.absent_since.is_none() && !news.moved && news.remarks.trim().is_empty() {
            return Err("欠席の初日・転居・気になる様子のどれかを入力してください".into());
        }
        let report = urgent_report(id, agency, &news, &config.business_calendar(), today);
        Ok(LedgerEffect::UrgentReport { report: Box::new(report), rules: config.monthly_reports.clone() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::AgencyKind;

    #[test]
    fn a_phoned_in_week_of_absence_becomes_an_urgent_report() {
        let school = Agency {
            id: 7,
            code: "ES01".into(),
            name: "本町小学校".into(),
            kind: AgencyKind::PrimarySchool,
            contact: String::new(),
        };
        let mut f = CaseForm::for_urgent(3, "R6-001", Some(7), &[school]);
        f.form.set_text(CaseField::UrgentSince, "R8.11.13");
        let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let CaseFormKind::Urgent { id, agencies, .. } = f.kind.clone() else { panic!() };
        let Ok(LedgerEffect::UrgentReport { report, .. }) = f.urgent_effect(id, &agencies, &Config::default(), today)
        else {
            panic!()
        };
        assert_eq!((report.agency_id, report.absent, report.absent_unnotified, report.urgent), (7, 7, 7, true));
        f.form.set_text(CaseField::UrgentSince, "");
        assert!(f.urgent_effect(id, &agencies, &Config::default(), today).unwrap_err().contains("どれか"));
    }
}
