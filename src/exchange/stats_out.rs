//! 年度統計 as a document (Markdown, Excel) or JSON, from `domain::stats::YearStats`.

use super::document::{Block, Cell, Document, Grid};
use crate::domain::config::OutputConfig;
use crate::domain::stats::{AGE_BANDS, Count, YearStats};
use crate::domain::wareki;

/// 「令和7年度（2025年度）」
pub fn fiscal_label(stats: &YearStats) -> String {
    let era = wareki::format(stats.from);
    let era_year = era.split('年').next().unwrap_or(&era);
    format!("{era_year}年度（{}年度）", stats.fiscal_year)
}

fn count_grid(title: &str, counts: &[Count], total: usize) -> Grid {
    let mut g = Grid::new(&[(title, 16), ("件数", 5)]);
    for c in counts {
        g.row(vec![Cell::from(c.label.clone()), c.count.into()]);
    }
    g.row(vec![Cell::from("合計"), total.into()]);
    g
}

fn percent(x: Option<f64>) -> String {
    x.map(|p| format!("{p:.1}%")).unwrap_or_else(|| "-".into())
}

pub fn document(s: &YearStats, municipality: &str, notice: &str, out: &OutputConfig) -> Document {
    let dates = out.date_style;
    let mut blocks = vec![Block::Fields(vec![
        ("対象期間".into(), format!("{}〜{}", dates.format(s.from), dates.format(s.to))),
        ("基準日".into(), format!("{}（年齢・期限超過はこの日で数えています）", dates.format(s.as_of))),
    ])];

    blocks.push(Block::Heading("1. 登録ケース（登録区分・年齢別）".into()));
    let mut cols: Vec<(&str, u16)> = vec![("登録区分", 8)];
    cols.extend(AGE_BANDS.iter().map(|b| (*b, 5)));
    cols.push(("計", 4));
    let mut g = Grid::new(&cols);
    for r in &s.registered {
        let mut row = vec![Cell::from(r.registration.clone())];
        row.extend(r.bands.iter().map(|n| Cell::from(*n)));
        row.push(r.total.into());
        g.row(row);
    }
    let mut total = vec![Cell::from("合計")];
    total.extend((0..AGE_BANDS.len()).map(|i| Cell::from(s.registered.iter().map(|r| r.bands[i]).sum::<usize>())));
    total.push(s.registered_total.into());
    g.row(total);
    blocks.push(Block::Table(g));
    blocks.push(Block::SubHeading("要保護児童の虐待種別（重複あり）".into()));
    let abuse_total = s.abuse_types.iter().map(|c| c.count).sum();
    blocks.push(Block::Table(count_grid("虐待種別", &s.abuse_types, abuse_total)));

    blocks.push(Block::Heading("2. 新規受理".into()));
    blocks.push(Block::Table(count_grid("登録区分", &s.new_by_type, s.new_total)));

    blocks.push(Block::Heading("3. 終結・移管（理由別）".into()));
    blocks.push(Block::Table(count_grid("理由", &s.closed_by_reason, s.closed_total)));

    blocks.push(Block::Heading("4. 会議の開催".into()));
    let held: usize = s.meetings_by_kind.iter().map(|c| c.count).sum();
    blocks.push(Block::Table(count_grid("会議の種別", &s.meetings_by_kind, held)));
    let mut m = Grid::new(&[("開催日", 6), ("会議名", 18), ("協議件数", 4), ("一括確認", 4), ("重点協議", 4)]);
    for r in &s.meetings {
        m.row(vec![Cell::Date(r.date), r.title.clone().into(), r.reviewed.into(), r.quick.into(), r.deep.into()]);
    }
    blocks.push(Block::Table(m));
    let reviewed = s.quick_total + s.deep_total;
    blocks.push(Block::Fields(vec![
        (
            "1回あたり協議件数".into(),
            s.reviewed_per_meeting().map(|x| format!("{x:.1}件（進行管理会議）")).unwrap_or_else(|| "-".into()),
        ),
        (
            "一括確認／重点協議".into(),
            format!(
                "{}件／{}件（重点協議の割合 {}）",
                s.quick_total,
                s.deep_total,
                percent((reviewed > 0).then(|| 100.0 * s.deep_total as f64 / reviewed as f64))
            ),
        ),
    ]));

    blocks.push(Block::Heading("5. 役割分担の実施状況（期限が年度内のもの）".into()));
    let a = &s.actions;
    let mut g = Grid::new(&[("結果", 16), ("件数", 5)]);
    for (label, n) in [
        ("期限内に実施", a.done_on_time),
        ("期限後に実施", a.done_late),
        ("実施不可（状況変化）", a.not_possible),
        ("未実施", a.not_done),
        ("未確認（期限超過）", a.open_overdue),
        ("未確認（期限前）", a.open_not_due),
        ("合計", a.due),
    ] {
        g.row(vec![Cell::from(label), n.into()]);
    }
    blocks.push(Block::Table(g));
    blocks.push(Block::Fields(vec![("期限内実施率".into(), percent(a.on_time_percent()))]));

    Document::new(format!("{} {} 統計", super::minutes::council_name(municipality), fiscal_label(s)), notice, blocks)
        .styled(out)
}

/// The figures as JSON, with the council's municipality and the confidentiality notice first
/// (the file travels without a page header to carry it).
pub fn to_json(s: &YearStats, municipality: &str, notice: &str) -> String {
    let mut out = serde_json::Map::new();
    out.insert("notice".into(), notice.into());
    out.insert("municipality".into(), municipality.into());
    if let Ok(serde_json::Value::Object(figures)) = serde_json::to_value(s) {
        out.extend(figures);
    }
    serde_json::to_string_pretty(&out).expect("plain data serialises")
}
