//! 月次報告 since the last meeting, month by month, as the meeting screen and the minutes show
//! them beside each case: numbers and alerts only. The reports' free text (欠席理由, 様子,
//! 特記事項) stays in the case detail; what goes to the meeting cannot carry a name.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::attendance::{self, AlertKind, MonthlyReport};
use super::config::MonthlyReports;

/// One month of one case: every institution's regular report added up; an urgent report adds
/// its alerts and its longest absence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthFigures {
    pub month: NaiveDate,
    /// A regular report came in (an urgent one alone has no monthly figures).
    pub reported: bool,
    pub attended: u32,
    pub absent: u32,
    pub absent_unnotified: u32,
    pub longest_absence: u32,
    pub alerts: Vec<AlertKind>,
}

/// The months of one case, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ReportMonths {
    pub months: Vec<MonthFigures>,
}

impl AlertKind {
    /// 「連続欠席」: the alert as a word in a line of figures.
    pub fn short(self) -> &'static str {
        match self {
            AlertKind::LongAbsence => "連続欠席",
            AlertKind::Unnotified => "連絡なし欠席",
            AlertKind::Moved => "転居",
            AlertKind::Concern => "特記事項",
        }
    }
}

impl ReportMonths {
    /// The months of `reports` (one case's), each alert counted as `cfg` raises it.
    pub fn of<'a>(reports: impl IntoIterator<Item = &'a MonthlyReport>, cfg: &MonthlyReports) -> ReportMonths {
        let mut months: Vec<MonthFigures> = Vec::new();
        for r in reports {
            let month = attendance::first_of_month(r.month);
            let at = match months.iter().position(|m| m.month == month) {
                Some(i) => i,
                None => {
                    months.push(MonthFigures {
                        month,
                        reported: false,
                        attended: 0,
                        absent: 0,
                        absent_unnotified: 0,
                        longest_absence: 0,
                        alerts: Vec::new(),
                    });
                    months.len() - 1
                }
            };
            let m = &mut months[at];
            if !r.urgent {
                m.reported = true;
                m.attended += r.attended;
                m.absent += r.absent;
                m.absent_unnotified += r.absent_unnotified;
            }
            m.longest_absence = m.longest_absence.max(r.longest_absence);
            for (kind, _) in attendance::alerts(r, cfg) {
                if !m.alerts.contains(&kind) {
                    m.alerts.push(kind);
                }
            }
        }
        months.sort_by_key(|m| m.month);
        ReportMonths { months }
    }

    pub fn is_empty(&self) -> bool {
        self.months.is_empty()
    }

    pub fn has_alert(&self) -> bool {
        self.months.iter().any(|m| !m.alerts.is_empty())
    }

    /// One glyph per month for the share of days attended, from `levels[0]` (almost none) to
    /// `levels[7]` (every day); `none` for a month without a regular report: the meeting
    /// screen's strip.
    pub fn bars(&self, levels: [char; 8], none: char) -> String {
        self.months
            .iter()
            .map(|m| match m.attended + m.absent {
                _ if !m.reported => none,
                0 => none,
                days => levels[((m.attended as usize * 7) + (days as usize / 2)) / days as usize],
            })
            .collect()
    }

    /// For a table cell: 「9月 出17欠2・10月 出21欠0【要確認】」.
    pub fn compact(&self) -> String {
        let months: Vec<String> = self
            .months
            .iter()
            .map(|m| {
                if m.reported {
                    format!("{}月 出{}欠{}", m.month.month(), m.attended, m.absent)
                } else {
                    format!("{}月 随時", m.month.month())
                }
            })
            .collect();
        let alert = if self.has_alert() { "【要確認】" } else { "" };
        format!("{}{alert}", months.join("・"))
    }

    /// Each month in figures: 「11月 出席12・欠席8（連絡なし8）・連続欠席最長7日【要確認: 連続欠席】」.
    pub fn month_texts(&self) -> Vec<String> {
        self.months.iter().map(month_text).collect()
    }
}

/// The first month a meeting on `day` reads: the month of the previous meeting (its reports
/// came in after it met), or the three months before `day` when there was none.
pub fn first_month(previous_meeting: Option<NaiveDate>, day: NaiveDate) -> NaiveDate {
    let from = previous_meeting.unwrap_or_else(|| day.checked_sub_months(chrono::Months::new(3)).unwrap_or(day));
    attendance::first_of_month(from.min(day))
}

fn month_text(m: &MonthFigures) -> String {
    let mut s = format!("{}月", m.month.month());
    if m.reported {
        s.push_str(&format!(" 出席{}・欠席{}", m.attended, m.absent));
        if m.absent_unnotified > 0 {
            s.push_str(&format!("（連絡なし{}）", m.absent_unnotified));
        }
    } else {
        s.push_str(" 随時報告のみ");
    }
    if m.longest_absence > 0 {
        s.push_str(&format!("・連続欠席最長{}日", m.longest_absence));
    }
    if !m.alerts.is_empty() {
        let kinds: Vec<&str> = m.alerts.iter().map(|k| k.short()).collect();
        s.push_str(&format!("【要確認: {}】", kinds.join("・")));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

    fn report(month: u32, attended: u32, absent: u32, unnotified: u32, longest: u32) -> MonthlyReport {
        MonthlyReport {
            id: 0,
            case_id: 1,
            agency_id: 1,
            month: NaiveDate::from_ymd_opt(2026, month, 1).unwrap(),
            school_days: None,
            attended,
            absent,
            absent_notified: absent - unnotified,
            absent_unnotified: unnotified,
            late_early: 0,
            longest_absence: longest,
            absence_reason: "山田さん宅の事情".into(),
            observations: "美桜さんは元気".into(),
            remarks: String::new(),
            moved: false,
            writer: "担任".into(),
            written_on: None,
            source: "a.xlsx".into(),
            urgent: false,
        }
    }

    #[test]
    fn months_read_as_figures_and_bars_and_never_as_free_text() {
        let cfg = MonthlyReports::default();
        let mut urgent = report(11, 0, 0, 0, 9);
        urgent.urgent = true;
        urgent.remarks = "母が美桜さんを連れて外出".into();
        let rs = [report(11, 12, 8, 8, 7), report(10, 20, 0, 0, 0), urgent];
        let m = ReportMonths::of(&rs, &cfg);
        assert_eq!(m.bars(LEVELS, '-'), "█▅");
        let texts = m.month_texts();
        assert_eq!(texts[0], "10月 出席20・欠席0");
        assert_eq!(
            texts[1],
            "11月 出席12・欠席8（連絡なし8）・連続欠席最長9日【要確認: 連続欠席・連絡なし欠席・特記事項】"
        );
        assert!(m.has_alert());
        assert_eq!(m.compact(), "10月 出20欠0・11月 出12欠8【要確認】");
        assert!(texts.iter().all(|t| !t.contains("美桜") && !t.contains("山田")));
    }

    #[test]
    fn the_window_starts_in_the_previous_meeting_s_month() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        assert_eq!(first_month(Some(d(9, 8)), d(12, 8)), d(9, 1));
        assert_eq!(first_month(None, d(12, 8)), d(9, 1));
    }

    #[test]
    fn an_urgent_report_alone_has_no_monthly_figures() {
        let cfg = MonthlyReports::default();
        let mut urgent = report(12, 0, 0, 0, 7);
        urgent.urgent = true;
        let m = ReportMonths::of(&[urgent], &cfg);
        assert_eq!(m.bars(LEVELS, '-'), "-");
        assert_eq!(m.month_texts(), ["12月 随時報告のみ・連続欠席最長7日【要確認: 連続欠席】"]);
        assert!(ReportMonths::default().is_empty());
    }
}
