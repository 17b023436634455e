//! 定期的な情報提供 as the screens show it: a case's monthly reports newest first, each with
//! its attendance as a small bar and the alerts it raised (the case detail).

use ratatui::style::Stylize;
use ratatui::text::{Line, Span};

use crate::domain::Agency;
use crate::domain::attendance::{MonthlyReport, ReportAlert, month_label};

/// Attendance as a bar of `width` cells: █ attended, ▒ absent with contact, ░ without.
pub fn attendance_bar(r: &MonthlyReport, width: u32) -> String {
    let days = r.school_days.unwrap_or(r.attended + r.absent).max(1);
    let cells = |n: u32| (n * width).div_ceil(days).min(width);
    let (unnotified, absent) = (cells(r.absent_unnotified), cells(r.absent));
    let notified = absent.saturating_sub(unnotified);
    let attended = width.saturating_sub(absent);
    format!("{}{}{}", "█".repeat(attended as usize), "▒".repeat(notified as usize), "░".repeat(unnotified as usize))
}

/// One report's numbers: 「出席 13/21 欠席 8（連絡なし 7）最長 7日」.
pub fn attendance_text(r: &MonthlyReport) -> String {
    let days = r.school_days.map(|d| format!("/{d}")).unwrap_or_default();
    let unnotified =
        if r.absent_unnotified > 0 { format!("（連絡なし {}）", r.absent_unnotified) } else { String::new() };
    let longest = if r.longest_absence > 1 { format!(" 最長 {}日", r.longest_absence) } else { String::new() };
    if r.urgent {
        return format!("随時報告 欠席 {}日{unnotified}", r.absent);
    }
    format!("出席 {}{days} 欠席 {}{unnotified}{longest}", r.attended, r.absent)
}

/// The case detail's section: the latest `limit` reports, newest first, with their alerts and
/// what the institution wrote (through `mask`, which blots names out when projecting).
pub fn report_history(
    reports: &[MonthlyReport],
    alerts: &[ReportAlert],
    agencies: &[Agency],
    limit: usize,
    mask: &dyn Fn(&str) -> String,
) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    if reports.is_empty() {
        out.push(Line::from("  まだ報告はありません").dark_gray());
    }
    for r in reports.iter().rev().take(limit) {
        let who = crate::tui::screen::agency_name(agencies, Some(r.agency_id)).to_string();
        out.push(Line::from(vec![
            Span::raw(format!("  {} {who} ", month_label(r.month))),
            Span::raw(attendance_bar(r, 10)).green(),
            Span::raw(format!(" {}", attendance_text(r))),
        ]));
        for a in alerts.iter().filter(|a| a.report_id == r.id) {
            out.push(Line::from(format!("    ● 要確認: {}", a.detail)).red().bold());
        }
        for (label, text) in [("欠席理由", &r.absence_reason), ("様子", &r.observations), ("特記事項", &r.remarks)]
        {
            if !text.trim().is_empty() {
                out.push(Line::from(format!("    {label}: {}", mask(text))).dark_gray());
            }
        }
        if r.moved {
            out.push(Line::from("    転居・転出の知らせあり").red());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(attended: u32, notified: u32, unnotified: u32) -> MonthlyReport {
        MonthlyReport {
            id: 1,
            case_id: 1,
            agency_id: 1,
            month: chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
            school_days: Some(attended + notified + unnotified),
            attended,
            absent: notified + unnotified,
            absent_notified: notified,
            absent_unnotified: unnotified,
            late_early: 0,
            longest_absence: unnotified,
            absence_reason: String::new(),
            observations: String::new(),
            remarks: String::new(),
            moved: false,
            writer: String::new(),
            written_on: None,
            source: String::new(),
            urgent: false,
        }
    }

    #[test]
    fn the_bar_shows_attendance_and_both_kinds_of_absence() {
        assert_eq!(attendance_bar(&report(20, 0, 0), 10), "██████████");
        assert_eq!(attendance_bar(&report(13, 1, 7), 10), "██████░░░░");
        assert_eq!(attendance_bar(&report(10, 5, 5), 10), "█████▒▒░░░");
        assert_eq!(attendance_bar(&report(19, 1, 0), 10), "█████████▒", "one day still shows");
    }
}
