//! Text the screens' views share: headings, key–value lines, and the one rendering of the merged
//! assessment sheets (高浜町 practice) that the ledger detail, the preparation screen and the
//! meeting screen all show.

use ratatui::layout::Rect;
use ratatui::style::Stylize;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use unicode_width::UnicodeWidthChar;

use crate::domain::sheet_merge::MergedSheets;
use crate::domain::{Agency, Config, wareki};

/// Lines broken to `width` display columns, character by character (Japanese has no spaces to
/// break at), each span keeping its style; a span that starts with a space (a badge such as
/// 「 一括確認 」) moves to the next row whole when it fits there. ratatui's own word wrap lets a
/// wide character that lands on the last column spill over the right border.
pub fn wrap(lines: Vec<Line<'static>>, width: u16) -> Vec<Line<'static>> {
    let w = usize::from(width);
    if w == 0 {
        return lines;
    }
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        let style = line.style;
        let mut row: Vec<Span<'static>> = Vec::new();
        let mut used = 0;
        for span in line.spans {
            let sw = unicode_width::UnicodeWidthStr::width(span.content.as_ref());
            if span.content.starts_with(' ') && used > 0 && used + sw > w && sw <= w {
                out.push(Line::from(std::mem::take(&mut row)).style(style));
                used = 0;
            }
            let mut piece = String::new();
            for c in span.content.chars() {
                let cw = c.width().unwrap_or(0);
                if used + cw > w && used > 0 {
                    if !piece.is_empty() {
                        row.push(Span::styled(std::mem::take(&mut piece), span.style));
                    }
                    out.push(Line::from(std::mem::take(&mut row)).style(style));
                    used = 0;
                }
                piece.push(c);
                used += cw;
            }
            if !piece.is_empty() {
                row.push(Span::styled(piece, span.style));
            }
        }
        out.push(Line::from(row).style(style));
    }
    out
}

/// A bordered pane of text in `area`, wrapped by [`wrap`] to the space inside `block`.
pub fn pane(lines: Vec<Line<'static>>, block: Block<'static>, area: Rect) -> Paragraph<'static> {
    let inner = block.inner(area);
    Paragraph::new(wrap(lines, inner.width)).block(block)
}

/// The 終結理由区分 after a closing proposal's reason: 「（状態の安定）」, or a warning when none
/// is chosen (accepting the item as proposed is refused until one is).
pub fn category(category: &str) -> String {
    if category.trim().is_empty() {
        "（終結理由区分なし: 選ぶまで承認できません）".into()
    } else {
        format!("（{category}）")
    }
}

pub fn heading(text: &str) -> Line<'static> {
    Line::from(Span::raw(format!("[{text}]")).bold().cyan())
}

pub fn kv(k: &str, v: String) -> Line<'static> {
    Line::from(vec![Span::raw(format!("{k}: ")).dark_gray(), Span::raw(v)])
}

/// 事前確認の結果: one line per institution that replied, 修正あり and 要協議 in colour so the
/// facilitator sees them before confirming the 事務局案.
pub fn replies(
    replies: &[crate::domain::reply::Reply],
    agency: impl Fn(crate::domain::Id) -> String,
    mask: &dyn Fn(&str) -> String,
) -> Vec<Line<'static>> {
    use crate::domain::reply::Answer;
    replies
        .iter()
        .map(|r| {
            let text = Span::raw(mask(&r.summary(&agency(r.agency_id))));
            let text = match r.answer {
                Answer::Agree => text.green(),
                Answer::Amend => text.yellow().bold(),
                Answer::Discuss => text.red().bold(),
            };
            Line::from(vec![Span::raw("  事前確認 ").dark_gray(), text])
        })
        .collect()
}

/// How much of each institution's sheet the merged view shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetDetail {
    /// Scale, new, continuing and cleared ticks, and the written notes (ledger, preparation).
    Full,
    /// Scale and new ticks only (the projected meeting screen).
    Brief,
}

/// Each institution's latest sheet with the change since its previous period, then the sheets
/// asked for that have not come back. Free text passes through `mask` (presentation mode).
pub fn merged_sheets(
    ms: &MergedSheets,
    config: &Config,
    agencies: &[Agency],
    detail: SheetDetail,
    mask: &dyn Fn(&str) -> String,
) -> Vec<Line<'static>> {
    let name = |id| crate::tui::screen::agency_name(agencies, Some(id)).to_string();
    let label = |k: &String| {
        config.sheet_items.iter().find(|i| &i.key == k).map(|i| i.label.clone()).unwrap_or_else(|| k.clone())
    };
    let labels = |keys: &mut dyn Iterator<Item = &String>| keys.map(label).collect::<Vec<_>>().join("、");
    let mut out = Vec::new();
    if ms.is_empty() {
        out.push(Line::from("  なし").dark_gray());
    }
    for col in &ms.columns {
        let sh = &col.latest;
        let scale = sh.safety_scale.map(|v| v.to_string()).unwrap_or_else(|| "-".into());
        let mut line =
            vec![Span::raw(format!("  {} {} スケール{scale}", wareki::format_short(sh.period), name(col.agency_id)))];
        if let (Some(change), Some(before)) = (col.scale_change(), col.previous.as_ref().and_then(|p| p.safety_scale)) {
            let text = format!("（前回{before} {change:+}）");
            line.push(if change < 0 { Span::raw(text).red().bold() } else { Span::raw(text).dark_gray() });
        }
        out.push(Line::from(line));
        if !col.newly_ticked.is_empty() {
            out.push(Line::from(Span::raw(format!("    新たに該当: {}", labels(&mut col.newly_ticked.iter()))).red()));
        }
        if detail == SheetDetail::Brief {
            continue;
        }
        let mut still = sh.checks.iter().filter(|k| !col.newly_ticked.contains(k)).peekable();
        if still.peek().is_some() {
            out.push(Line::from(format!("    引き続き該当: {}", labels(&mut still))));
        }
        if !col.cleared.is_empty() {
            out.push(Line::from(format!("    該当しなくなった: {}", labels(&mut col.cleared.iter()))).dark_gray());
        }
        for item in &config.sheet_items {
            if let Some(text) = sh.notes.get(&item.key) {
                out.push(Line::from(format!("    {}: {}", item.label, mask(&text.replace('\n', " ")))).dark_gray());
            }
        }
    }
    for miss in &ms.missing {
        let text = format!("  未提出: {} {}", name(miss.agency_id), wareki::format_short(miss.period));
        out.push(Line::from(Span::raw(text).yellow()));
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::NaiveDate;

    use super::*;
    use crate::domain::sheet_merge::merge;
    use crate::domain::{AgencyKind, AssessmentSheet};

    fn sheet(id: i64, period: NaiveDate, scale: u8, checks: &[&str], worries: &str) -> AssessmentSheet {
        AssessmentSheet {
            id,
            case_id: 1,
            agency_id: 7,
            period,
            written_on: None,
            checks: checks.iter().map(|c| c.to_string()).collect(),
            notes: BTreeMap::from([("worries".to_string(), worries.to_string())]),
            safety_scale: Some(scale),
            writer: String::new(),
            source: String::new(),
        }
    }

    fn text(lines: &[Line<'static>]) -> Vec<String> {
        lines.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn wrapped_text_never_reaches_past_its_width() {
        use unicode_width::UnicodeWidthStr;
        let line = Line::from(vec![
            Span::raw("  援助方針: "),
            Span::raw("学校・保育所での見守りを継続し、変化があれば事務局へ連絡する").red(),
        ]);
        for w in [71, 10, 3, 1] {
            let rows = wrap(vec![line.clone()], w);
            assert!(rows.iter().all(|r| r.width() <= usize::from(w).max(2)), "{w}: {rows:?}");
            let text: String = rows.iter().map(|r| r.to_string()).collect();
            assert_eq!(text, line.to_string(), "nothing lost at {w}");
        }
        let rows = wrap(vec![line.clone()], 71);
        assert_eq!(rows.len(), 2, "72 columns need two rows of 71");
        assert!(rows[1].spans.iter().all(|s| s.style == rows[0].spans[1].style), "the style carries on");
        assert_eq!(rows[0].to_string().width(), 70, "a wide character that would spill goes down");
    }

    #[test]
    fn every_screen_reads_the_same_merged_sheet_lines() {
        let d = |m| NaiveDate::from_ymd_opt(2026, m, 30).unwrap();
        let sheets = [
            sheet(1, d(6), 7, &["absence"], "夏休み明け"),
            sheet(2, d(9), 3, &["absence", "fear"], "太郎は帰宅を嫌がる"),
        ];
        let ms = merge(1, &sheets, &[(1, 7, d(9)), (1, 8, d(9))]);
        let agencies = [Agency {
            id: 7,
            code: "ES01".into(),
            name: "東小学校".into(),
            kind: AgencyKind::PrimarySchool,
            contact: String::new(),
        }];
        let config = Config::default();
        let full = text(&merged_sheets(&ms, &config, &agencies, SheetDetail::Full, &|t| t.to_string()));
        let brief = text(&merged_sheets(&ms, &config, &agencies, SheetDetail::Brief, &|t| t.replace("太郎", "〇〇")));
        assert!(full[0].contains("東小学校 スケール3（前回7 -4）"), "{full:?}");
        assert_eq!(full[0], brief[0], "one scale line on every screen");
        assert!(full.iter().any(|l| l.contains("新たに該当: 保護者を怖がる・帰宅を嫌がる")), "{full:?}");
        assert!(full.iter().any(|l| l.contains("引き続き該当: 欠席・遅刻・早退が目立つ")), "{full:?}");
        assert!(full.iter().any(|l| l.contains("気になること: 太郎は帰宅を嫌がる")), "{full:?}");
        assert!(
            !brief.iter().any(|l| l.contains("太郎") || l.contains("引き続き")),
            "brief leaves notes out: {brief:?}"
        );
        assert!(full.last().unwrap().starts_with("  未提出: "), "the institution that sent nothing: {full:?}");
    }
}
