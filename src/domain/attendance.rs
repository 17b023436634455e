//! 定期的な情報提供: an institution's monthly report on a child the 要対協 designates
//! (attendance, absences and their reasons, what was noticed), the checks that make a report
//! believable, which children are designated, and the alerts (要確認) a report raises.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::calendar::BusinessCalendar;
use super::config::MonthlyReports;
use super::{Case, CaseStatus, Id, Registration, ReportDesignation};

/// One institution's report on one child for one month (or an urgent report phoned in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthlyReport {
    pub id: Id,
    pub case_id: Id,
    pub agency_id: Id,
    /// The month reported on, as its first day.
    pub month: NaiveDate,
    /// 授業日数 (the institution's days open that month); None when not given.
    pub school_days: Option<u32>,
    /// 出席日数
    pub attended: u32,
    /// 欠席日数, and of those with and without contact from the family (連絡あり / 連絡なし).
    pub absent: u32,
    pub absent_notified: u32,
    pub absent_unnotified: u32,
    /// 遅刻・早退 (times)
    pub late_early: u32,
    /// 連続欠席の最長日数: business days in a row without a credible reason.
    pub longest_absence: u32,
    /// 欠席理由
    pub absence_reason: String,
    /// 家庭・本人の様子
    pub observations: String,
    /// 特記事項: anything the institution wants the secretariat to know (a written concern).
    pub remarks: String,
    /// 転居・転出 (planned or done), as the institution heard of it.
    pub moved: bool,
    /// 記入者 / 記入日
    pub writer: String,
    pub written_on: Option<NaiveDate>,
    /// File name it came from, or 「電話等（手入力）」 for a report entered by hand.
    pub source: String,
    /// 随時報告: told at once (a phone call), not the monthly file.
    pub urgent: bool,
}

/// What makes a report need a look before the case's turn comes (要確認).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// ≥ N consecutive business days absent without a credible reason.
    LongAbsence,
    /// Absent without the family getting in touch.
    Unnotified,
    /// 転居・転出
    Moved,
    /// 特記事項 written.
    Concern,
}

impl AlertKind {
    pub fn code(self) -> &'static str {
        match self {
            AlertKind::LongAbsence => "long_absence",
            AlertKind::Unnotified => "unnotified",
            AlertKind::Moved => "moved",
            AlertKind::Concern => "concern",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        [AlertKind::LongAbsence, AlertKind::Unnotified, AlertKind::Moved, AlertKind::Concern]
            .into_iter()
            .find(|k| k.code() == s)
    }
}

/// An alert raised on a case by a report, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportAlert {
    pub id: Id,
    pub case_id: Id,
    pub agency_id: Id,
    pub report_id: Id,
    pub month: NaiveDate,
    pub kind: AlertKind,
    /// The fact, as the ledger and triage say it (numbers only, never a name).
    pub detail: String,
    pub raised_on: NaiveDate,
}

impl ReportAlert {
    /// 「2027年1月・連絡のない欠席 3 日」: as the ledger and the case detail say it.
    pub fn text(&self) -> String {
        format!("{}・{}", month_label(self.month), self.detail)
    }
}

/// The alerts `r` raises: each states the fact that raised it.
pub fn alerts(r: &MonthlyReport, cfg: &MonthlyReports) -> Vec<(AlertKind, String)> {
    let mut out = Vec::new();
    if r.longest_absence >= cfg.alert_days {
        out.push((
            AlertKind::LongAbsence,
            format!("理由の確かでない連続欠席 {} 日（基準 {} 日）", r.longest_absence, cfg.alert_days),
        ));
    }
    if r.absent_unnotified > 0 {
        out.push((AlertKind::Unnotified, format!("連絡のない欠席 {} 日", r.absent_unnotified)));
    }
    if r.moved {
        out.push((AlertKind::Moved, "転居・転出の報告".to_string()));
    }
    if !r.remarks.trim().is_empty() {
        out.push((AlertKind::Concern, "特記事項の記載".to_string()));
    }
    out
}

/// Column labels, shared by the template, the import and the hand entry form.
pub const SCHOOL_DAYS: &str = "授業日数";
pub const ATTENDED: &str = "出席日数";
pub const ABSENT: &str = "欠席日数";
pub const NOTIFIED: &str = "うち連絡あり";
pub const UNNOTIFIED: &str = "うち連絡なし";
pub const LATE_EARLY: &str = "遅刻・早退（回）";
pub const LONGEST: &str = "連続欠席の最長日数";
pub const REASON: &str = "欠席理由";
pub const OBSERVATIONS: &str = "家庭・本人の様子";
pub const REMARKS: &str = "特記事項";
pub const MOVED: &str = "転居・転出";
pub const MONTH: &str = "対象月";

/// Why a report cannot be right, as (column label, reason): the numbers must add up and the
/// month must have begun. The store refuses such a report; the import names the cells.
pub fn problems(r: &MonthlyReport, today: NaiveDate) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if r.month > first_of_month(today) {
        out.push((MONTH, format!("{} はまだ来ていない月です", month_label(r.month))));
    }
    if let Some(days) = r.school_days {
        if r.absent > days {
            out.push((ABSENT, format!("欠席日数 {} が授業日数 {days} を超えています", r.absent)));
        } else if r.attended + r.absent > days {
            out.push((
                ATTENDED,
                format!("出席日数 {} と欠席日数 {} の合計が授業日数 {days} を超えています", r.attended, r.absent),
            ));
        }
    }
    if r.absent_notified + r.absent_unnotified != r.absent {
        out.push((
            UNNOTIFIED,
            format!(
                "連絡あり {} 日と連絡なし {} 日の合計が欠席日数 {} と合いません",
                r.absent_notified, r.absent_unnotified, r.absent
            ),
        ));
    }
    if r.longest_absence > r.absent {
        out.push((LONGEST, format!("連続欠席の最長日数 {} が欠席日数 {} を超えています", r.longest_absence, r.absent)));
    }
    out
}

/// What an institution tells at once (a school phones in a long absence): the urgent report
/// the CLI and the case screen both build with [`urgent_report`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UrgentNews {
    /// The first day of the absence still going on, if the call is about one.
    pub absent_since: Option<NaiveDate>,
    /// The family has not been in touch about it.
    pub unnotified: bool,
    pub moved: bool,
    /// What the caller said that worries them (特記事項).
    pub remarks: String,
    pub reason: String,
    /// Who called (記入者).
    pub writer: String,
}

/// The urgent report for `news` told on `today`: the absence counted on the institution's
/// business days up to `today`, in `today`'s month.
pub fn urgent_report(
    case_id: Id,
    agency_id: Id,
    news: &UrgentNews,
    cal: &BusinessCalendar,
    today: NaiveDate,
) -> MonthlyReport {
    let days = news.absent_since.map(|d| absence_days(cal, d, today)).unwrap_or(0);
    let unnotified = if news.unnotified { days } else { 0 };
    MonthlyReport {
        id: 0,
        case_id,
        agency_id,
        month: first_of_month(today),
        school_days: None,
        attended: 0,
        absent: days,
        absent_notified: days - unnotified,
        absent_unnotified: unnotified,
        late_early: 0,
        longest_absence: days,
        absence_reason: news.reason.trim().to_string(),
        observations: String::new(),
        remarks: news.remarks.trim().to_string(),
        moved: news.moved,
        writer: news.writer.trim().to_string(),
        written_on: Some(today),
        source: URGENT_SOURCE.to_string(),
        urgent: true,
    }
}

/// The source of a report entered by hand.
pub const URGENT_SOURCE: &str = "電話等（手入力）";

/// Business days from `first` to `last`, both counted when open: the length of an absence
/// the institution counts on its calendar (weekends, holidays and closures do not break it
/// nor add to it).
pub fn absence_days(cal: &BusinessCalendar, first: NaiveDate, last: NaiveDate) -> u32 {
    first.iter_days().take_while(|d| *d <= last).filter(|d| cal.is_business_day(*d)).count() as u32
}

/// Whether `case` is one the institutions report on monthly — the one rule templates, the
/// 未提出 list and the demo use. The case's own 月次報告 field decides first (対象外: never;
/// 対象: always, while open and attending an institution); 既定 follows the configuration: by
/// default every open child attending an institution (`institution` says whether its 所属機関
/// is one), with cases added or removed by number.
pub fn is_designated(case: &Case, institution: bool, cfg: &MonthlyReports) -> bool {
    if case.status != CaseStatus::Open || !institution {
        return false;
    }
    match case.monthly_report {
        ReportDesignation::Off => false,
        ReportDesignation::On => true,
        ReportDesignation::Default => {
            !cfg.exclude.contains(&case.number)
                && (cfg.include.contains(&case.number)
                    || (cfg.designate_attending && case.registration != Registration::ExpectantMother))
        }
    }
}

pub fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

/// 「2027年1月」
pub fn month_label(m: NaiveDate) -> String {
    format!("{}年{}月", m.year(), m.month())
}

/// The day a month's reports are due: the configured day of the next month (the month's
/// last day when shorter), moved to the next business day.
pub fn deadline(month: NaiveDate, cfg: &MonthlyReports, cal: &BusinessCalendar) -> NaiveDate {
    let next = first_of_month(month).checked_add_months(Months::new(1)).unwrap_or(month);
    let last = next.checked_add_months(Months::new(1)).and_then(|d| d.pred_opt()).unwrap_or(next);
    let day = next.with_day(cfg.deadline_day.clamp(1, 31)).unwrap_or(last).min(last);
    cal.on_or_after(day)
}

/// A month as written: 2027-01, 2027/1, 2027年1月, R9.1, 令和9年1月 (a date in the month too).
pub fn parse_month(s: &str) -> Result<NaiveDate, String> {
    use unicode_normalization::UnicodeNormalization;
    let t: String = s.nfkc().collect::<String>().trim().trim_end_matches('分').to_string();
    let hint = || format!("対象月「{}」を読めません（例: 2027-01、2027年1月、R9.1）", s.trim());
    if let Ok(d) = super::wareki::parse_date(&t) {
        return Ok(first_of_month(d));
    }
    let with_day = if t.ends_with('月') { format!("{t}1日") } else { format!("{t}-1") };
    super::wareki::parse_date(&with_day).map(first_of_month).map_err(|_| hint())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cases_own_choice_overrides_the_configured_rule() {
        let cfg = MonthlyReports { exclude: vec!["R6-002".into()], ..MonthlyReports::default() };
        let mut c = Case::blank(NaiveDate::from_ymd_opt(2026, 4, 1).unwrap());
        c.number = "R6-002".into();
        assert!(!is_designated(&c, true, &cfg), "既定 follows the config's exclude");
        c.monthly_report = ReportDesignation::On;
        assert!(is_designated(&c, true, &cfg), "対象 overrides the config");
        assert!(!is_designated(&c, false, &cfg), "no institution, nobody to report");
        c.number = "R6-003".into();
        c.monthly_report = ReportDesignation::Off;
        assert!(!is_designated(&c, true, &cfg), "対象外 is never reported on");
        c.monthly_report = ReportDesignation::Default;
        assert!(is_designated(&c, true, &cfg), "既定: an attending child is");
        c.registration = Registration::ExpectantMother;
        assert!(!is_designated(&c, true, &cfg), "既定: an expectant mother is not");
        c.monthly_report = ReportDesignation::On;
        assert!(is_designated(&c, true, &cfg));
        c.status = CaseStatus::Closed;
        assert!(!is_designated(&c, true, &cfg), "a closed case never is");
    }

    #[test]
    fn designation_reads_the_three_words_and_the_marks_export_writes() {
        for d in ReportDesignation::ALL {
            assert_eq!(ReportDesignation::parse(d.label()), Some(d));
            assert_eq!(ReportDesignation::from_code(d.code()), Some(d));
        }
        assert_eq!(ReportDesignation::parse("○"), Some(ReportDesignation::On));
        assert_eq!(ReportDesignation::parse("×"), Some(ReportDesignation::Off));
        assert_eq!(ReportDesignation::parse("対称"), None);
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn report() -> MonthlyReport {
        MonthlyReport {
            id: 0,
            case_id: 1,
            agency_id: 2,
            month: d(2027, 1, 1),
            school_days: Some(19),
            attended: 15,
            absent: 4,
            absent_notified: 4,
            absent_unnotified: 0,
            late_early: 1,
            longest_absence: 2,
            absence_reason: "風邪".into(),
            observations: String::new(),
            remarks: String::new(),
            moved: false,
            writer: "担任".into(),
            written_on: Some(d(2027, 2, 3)),
            source: "学校.xlsx".into(),
            urgent: false,
        }
    }

    #[test]
    fn seven_days_are_counted_on_business_days_across_weekends_and_holidays() {
        let cal = BusinessCalendar::default();
        // Mon 2027-01-11 is 成人の日: absent Fri 1/8 to Mon 1/18 is 6 school days.
        assert_eq!(absence_days(&cal, d(2027, 1, 8), d(2027, 1, 18)), 6);
        assert_eq!(absence_days(&cal, d(2027, 1, 8), d(2027, 1, 19)), 7);
        // Over a plain weekend: Mon 2027-02-01 .. Tue 2027-02-09 is 7 school days.
        assert_eq!(absence_days(&cal, d(2027, 2, 1), d(2027, 2, 9)), 7);
        // A town closure is not a school day either.
        let closed = BusinessCalendar::new(true, [d(2027, 2, 5)]);
        assert_eq!(absence_days(&closed, d(2027, 2, 1), d(2027, 2, 9)), 6);
        assert_eq!(absence_days(&cal, d(2027, 2, 9), d(2027, 2, 1)), 0);
    }

    #[test]
    fn a_phoned_in_absence_of_seven_school_days_raises_the_alert() {
        let cal = BusinessCalendar::default();
        let news = UrgentNews { absent_since: Some(d(2027, 1, 8)), unnotified: true, ..UrgentNews::default() };
        let r = urgent_report(1, 2, &news, &cal, d(2027, 1, 19));
        assert_eq!((r.absent, r.absent_unnotified, r.longest_absence, r.urgent), (7, 7, 7, true));
        assert!(problems(&r, d(2027, 1, 19)).is_empty());
        let kinds: Vec<AlertKind> = alerts(&r, &MonthlyReports::default()).into_iter().map(|a| a.0).collect();
        assert_eq!(kinds, [AlertKind::LongAbsence, AlertKind::Unnotified]);
    }

    #[test]
    fn each_fact_raises_its_own_alert() {
        let cfg = MonthlyReports::default();
        assert!(alerts(&report(), &cfg).is_empty());
        let r = MonthlyReport {
            absent: 8,
            absent_notified: 1,
            absent_unnotified: 7,
            longest_absence: 7,
            moved: true,
            remarks: "あざ".into(),
            ..report()
        };
        let kinds: Vec<AlertKind> = alerts(&r, &cfg).into_iter().map(|a| a.0).collect();
        assert_eq!(kinds, [AlertKind::LongAbsence, AlertKind::Unnotified, AlertKind::Moved, AlertKind::Concern]);
        let six = MonthlyReport { longest_absence: 6, ..r };
        assert!(!alerts(&six, &cfg).iter().any(|a| a.0 == AlertKind::LongAbsence));
        assert!(alerts(&six, &cfg).iter().all(|a| !a.1.contains("あざ")), "the remark itself is never repeated");
    }

    #[test]
    fn the_numbers_must_add_up() {
        let today = d(2027, 2, 3);
        assert!(problems(&report(), today).is_empty());
        let over = MonthlyReport { absent: 20, absent_notified: 20, attended: 0, ..report() };
        assert!(problems(&over, today)[0].1.contains("授業日数 19 を超えています"));
        let split = MonthlyReport { absent_notified: 1, absent_unnotified: 1, ..report() };
        assert_eq!(problems(&split, today)[0].0, UNNOTIFIED);
        let future = MonthlyReport { month: d(2027, 3, 1), ..report() };
        assert!(problems(&future, today)[0].1.contains("まだ来ていない月"));
        let longest = MonthlyReport { longest_absence: 5, ..report() };
        assert_eq!(problems(&longest, today)[0].0, LONGEST);
    }

    #[test]
    fn months_are_read_as_written() {
        for s in ["2027-01", "2027/1", "2027年1月", "２０２７年１月分", "R9.1", "令和9年1月", "2027-01-15"]
        {
            assert_eq!(parse_month(s), Ok(d(2027, 1, 1)), "{s}");
        }
        assert!(parse_month("来月").unwrap_err().contains("対象月「来月」"));
    }

    #[test]
    fn the_deadline_is_the_configured_day_of_the_next_month_on_a_business_day() {
        let cfg = MonthlyReports::default();
        let cal = BusinessCalendar::default();
        // 2027-02-10 is a Wednesday.
        assert_eq!(deadline(d(2027, 1, 1), &cfg, &cal), d(2027, 2, 10));
        // 2027-04-10 is a Saturday: the Monday after.
        assert_eq!(deadline(d(2027, 3, 1), &cfg, &cal), d(2027, 4, 12));
        let late = MonthlyReports { deadline_day: 31, ..MonthlyReports::default() };
        assert_eq!(deadline(d(2027, 1, 1), &late, &cal), d(2027, 3, 1), "Feb 28 2027 is a Sunday");
    }
}
