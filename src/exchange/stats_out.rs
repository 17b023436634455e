//! 年度統計 as a document (Markdown, Excel) or JSON, from `domain::stats::YearStats`.

use super::document::{Block, Cell, Document, Grid};
use crate::domain::config::OutputConfig;
use crate::domain::stats::{AGE_BANDS, ActionOutcomes, Count, TypeRow, YearStats};
use crate::domain::wareki;

/// 「令和7年度（2025年度）」
pub fn fiscal_label(stats: &YearStats) -> String {
    let era = wareki::format(stats.from);
    let era_year = era.split('年').next().unwrap_or(&era);
    format!("{era_year}年度（{}年度）", stats.fiscal_year)
}

/// A count table, with the year before beside it when known (matched by label).
fn count_grid(title: &str, counts: &[Count], prev: Option<&[Count]>) -> Grid {
    let mut cols = vec![(title, 16), ("件数", 5)];
    if prev.is_some() {
        cols.push(("前年度", 5));
    }
    let mut g = Grid::new(&cols);
    let before = |label: &str| prev.map(|p| p.iter().filter(|c| c.label == label).map(|c| c.count).sum::<usize>());
    let mut labels: Vec<&str> = counts.iter().map(|c| c.label.as_str()).collect();
    // A label only the year before had still gets its row.
    labels
        .extend(prev.unwrap_or(&[]).iter().map(|c| c.label.as_str()).filter(|l| !counts.iter().any(|c| c.label == *l)));
    for label in labels {
        let now: usize = counts.iter().filter(|c| c.label == label).map(|c| c.count).sum();
        let mut row = vec![Cell::from(label), now.into()];
        row.extend(before(label).map(Cell::from));
        g.row(row);
    }
    let mut total = vec![Cell::from("合計"), counts.iter().map(|c| c.count).sum::<usize>().into()];
    total.extend(prev.map(|p| Cell::from(p.iter().map(|c| c.count).sum::<usize>())));
    g.row(total);
    g
}

/// Rows by age band (登録区分 × 年齢, 虐待種別 × 年齢), with a 合計 row and 前年度's totals.
fn band_grid(title: &str, rows: &[TypeRow], prev: Option<&[TypeRow]>) -> Grid {
    let mut cols: Vec<(&str, u16)> = vec![(title, 8)];
    cols.extend(AGE_BANDS.iter().map(|b| (*b, 5)));
    cols.push(("計", 4));
    if prev.is_some() {
        cols.push(("前年度", 5));
    }
    let mut g = Grid::new(&cols);
    let before =
        |label: &str| prev.map(|p| p.iter().filter(|r| r.registration == label).map(|r| r.total).sum::<usize>());
    for r in rows {
        let mut row = vec![Cell::from(r.registration.clone())];
        row.extend(r.bands.iter().map(|n| Cell::from(*n)));
        row.push(r.total.into());
        row.extend(before(&r.registration).map(Cell::from));
        g.row(row);
    }
    let mut total = vec![Cell::from("合計")];
    total.extend((0..AGE_BANDS.len()).map(|i| Cell::from(rows.iter().map(|r| r.bands[i]).sum::<usize>())));
    total.push(rows.iter().map(|r| r.total).sum::<usize>().into());
    total.extend(prev.map(|p| Cell::from(p.iter().map(|r| r.total).sum::<usize>())));
    g.row(total);
    g
}

fn percent(x: Option<f64>) -> String {
    x.map(|p| format!("{p:.1}%")).unwrap_or_else(|| "-".into())
}

pub fn document(s: &YearStats, municipality: &str, notice: &str, out: &OutputConfig) -> Document {
    let dates = out.date_style;
    let p = s.previous.as_deref();
    let mut blocks = vec![Block::Fields(vec![
        ("対象期間".into(), format!("{}〜{}", dates.format(s.from), dates.format(s.to))),
        ("基準日".into(), format!("{}（年齢・期限超過はこの日で数えています）", dates.format(s.as_of))),
        ("前年度".into(), p.map(fiscal_label).unwrap_or_else(|| "-".into())),
    ])];
    let b = &s.breakdown;
    let pb = p.map(|p| &p.breakdown);

    blocks.push(Block::Heading("1. 登録ケース（年度中に台帳にあったケース。年度中の終結を含む。年齢は基準日）".into()));
    blocks.push(Block::Table(band_grid("登録区分", &s.registered, p.map(|p| p.registered.as_slice()))));
    blocks.push(Block::SubHeading("要保護児童の虐待種別（重複あり）".into()));
    let abuse = count_grid("虐待種別", &s.abuse_types, p.map(|p| p.abuse_types.as_slice()));
    blocks.push(Block::Table(abuse.charted("要保護児童の虐待種別")));
    blocks.push(Block::SubHeading("虐待種別 × 年齢（登録区分を問わず・重複あり）".into()));
    blocks.push(Block::Table(band_grid("虐待種別", &b.abuse_by_age, pb.map(|p| p.abuse_by_age.as_slice()))));
    for (title, label, now, before) in [
        ("主担当機関別", "主担当機関", &b.by_lead_agency, pb.map(|p| p.by_lead_agency.as_slice())),
        ("性別", "性別", &b.by_sex, pb.map(|p| p.by_sex.as_slice())),
        ("児童相談所の関与", "児相関与", &b.by_cgc, pb.map(|p| p.by_cgc.as_slice())),
        ("ランク別", "ランク", &b.by_rank, pb.map(|p| p.by_rank.as_slice())),
    ] {
        blocks.push(Block::SubHeading(title.into()));
        blocks.push(Block::Table(count_grid(label, now, before).charted(title)));
    }

    blocks.push(Block::Heading("2. 新規受理".into()));
    let new = count_grid("登録区分", &s.new_by_type, p.map(|p| p.new_by_type.as_slice()));
    blocks.push(Block::Table(new.charted("新規受理")));
    blocks.push(Block::SubHeading("月別の新規受理・終結".into()));
    let mut months = Grid::new(&[("月", 4), ("新規受理", 5), ("終結・移管", 5)]);
    for m in &b.by_month {
        months.row(vec![Cell::from(m.month.clone()), m.new.into(), m.closed.into()]);
    }
    blocks.push(Block::Table(months.charted("月別の新規受理・終結")));

    blocks.push(Block::Heading("3. 終結・移管".into()));
    let by_category = pb.map(|p| p.closed_by_category.as_slice());
    blocks.push(Block::Table(count_grid("分類", &b.closed_by_category, by_category).charted("終結・移管の分類")));
    blocks.push(Block::SubHeading("年度末の継続ケース".into()));
    blocks.push(Block::Table(count_grid("登録区分", &b.open_at_end, pb.map(|p| p.open_at_end.as_slice()))));

    blocks.push(Block::Heading("4. 会議の開催".into()));
    let kinds = p.map(|p| p.meetings_by_kind.as_slice());
    blocks.push(Block::Table(count_grid("会議の種別", &s.meetings_by_kind, kinds)));
    let mut m = Grid::new(&[("開催日", 6), ("会議名", 18), ("協議件数", 4), ("一括確認", 4), ("重点協議", 4)]);
    for r in &s.meetings {
        m.row(vec![Cell::Date(r.date), r.title.clone().into(), r.reviewed.into(), r.quick.into(), r.deep.into()]);
    }
    blocks.push(Block::Table(m));
    blocks.push(Block::Fields(vec![
        (
            "1回あたり協議件数".into(),
            s.reviewed_per_meeting().map(|x| format!("{x:.1}件（進行管理会議）")).unwrap_or_else(|| "-".into()),
        ),
        (
            "一括確認／重点協議".into(),
            format!("{}件／{}件（重点協議の割合 {}）", s.quick_total, s.deep_total, percent(s.deep_percent())),
        ),
        (
            "個別ケース検討会議の開催決定".into(),
            format!(
                "{}件{}",
                s.case_conferences,
                p.map(|p| format!("（前年度 {}件）", p.case_conferences)).unwrap_or_default()
            ),
        ),
        ("経過記録（会議と会議の間の接触）".into(), s.contacts.text()),
        (
            "出生（特定妊婦のケースからの新生児）".into(),
            format!("{}人{}", s.newborns, p.map(|p| format!("（前年度 {}人）", p.newborns)).unwrap_or_default()),
        ),
        (
            "定期的な情報提供（月次報告）".into(),
            format!(
                "受領 {}件・要確認 {}件{}",
                s.reports_received,
                s.report_alerts,
                p.map(|p| format!("（前年度 受領 {}件・要確認 {}件）", p.reports_received, p.report_alerts))
                    .unwrap_or_default()
            ),
        ),
    ]));

    blocks.push(Block::Heading("5. 役割分担の実施状況（期限が年度内のもの）".into()));
    let outcomes = |a: &ActionOutcomes| {
        [
            ("期限内に実施", a.done_on_time),
            ("期限後に実施", a.done_late),
            ("実施不可（状況変化）", a.not_possible),
            ("未実施", a.not_done),
            ("未確認（期限超過）", a.open_overdue),
            ("未確認（期限前）", a.open_not_due),
        ]
        .map(|(label, count)| Count { label: label.into(), count })
        .to_vec()
    };
    let before = p.map(|p| outcomes(&p.actions));
    blocks.push(Block::Table(count_grid("結果", &outcomes(&s.actions), before.as_deref())));
    blocks.push(Block::Fields(vec![(
        "期限内実施率（結果を確認したもののうち。未確認は含まない）".into(),
        percent(s.actions.on_time_percent()),
    )]));

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
    // The rates the document prints, so JSON carries every figure the md and xlsx show.
    out.insert("on_time_percent".into(), s.actions.on_time_percent().into());
    out.insert("reviewed_per_meeting".into(), s.reviewed_per_meeting().into());
    out.insert("deep_percent".into(), s.deep_percent().into());
    serde_json::to_string_pretty(&out).expect("plain data serialises")
}
