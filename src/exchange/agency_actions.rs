//! 機関別 役割分担一覧: for each institution, what it agreed to do and by when. A list holds
//! only that institution's own actions (data minimisation: it never sees another's cases).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::document::{Block, Cell, Document, Grid};
use crate::domain::config::OutputConfig;
use crate::domain::mask;
use crate::domain::{Action, Agency, Case, Id};

/// One institution's list.
#[derive(Debug, Clone)]
pub struct AgencyList {
    pub agency: Agency,
    pub grid: Grid,
    pub overdue: usize,
}

/// What goes into the lists.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options<'a> {
    /// Also list actions already reviewed (done, not possible, not done).
    pub include_reviewed: bool,
    /// Masked (配布用): initials instead of names, and every name this masker knows blotted out
    /// of the action text. It should know every person in the ledger, not only the listed
    /// cases (an action may name a sibling or a parent): [`mask::Masker::for_ledger`].
    pub masker: Option<&'a mask::Masker>,
}

/// Lists for every institution that has at least one action, in agency order. Actions of
/// closed cases are left out unless `include_reviewed`.
pub fn lists(
    actions: &[Action],
    agencies: &[Agency],
    cases: &BTreeMap<Id, Case>,
    meeting_titles: &BTreeMap<Id, String>,
    opts: Options<'_>,
    today: NaiveDate,
) -> Vec<AgencyList> {
    let mut out = Vec::new();
    let masked = opts.masker.is_some();
    let text = |t: &str| opts.masker.map(|m| m.scrub(t)).unwrap_or_else(|| t.to_string());
    // Grouped by institution once, not searched through for each of hundreds of institutions.
    let mut by_agency: BTreeMap<Id, Vec<(&Action, &Case)>> = BTreeMap::new();
    for a in actions.iter().filter(|a| opts.include_reviewed || a.is_open()) {
        let (Some(agency), Some(c)) = (a.agency_id, cases.get(&a.case_id)) else { continue };
        if opts.include_reviewed || c.is_open() {
            by_agency.entry(agency).or_default().push((a, c));
        }
    }
    for agency in agencies {
        let mut mine = by_agency.remove(&agency.id).unwrap_or_default();
        if mine.is_empty() {
            continue;
        }
        mine.sort_by(|(a, ca), (b, cb)| (a.due, &ca.number, a.id).cmp(&(b.due, &cb.number, b.id)));
        let mut grid = Grid::new(&[
            ("ケース番号", 7),
            ("氏名", 7),
            ("学年等", 5),
            ("内容", 22),
            ("担当者", 6),
            ("期限", 6),
            ("状態", 8),
            ("合意した会議", 14),
        ]);
        let mut overdue = 0;
        for (a, c) in mine {
            let late = a.overdue(today);
            overdue += late as usize;
            grid.row(vec![
                c.number.clone().into(),
                if masked { mask::case_label(c) } else { c.name.clone() }.into(),
                c.grade.clone().into(),
                text(&a.what).into(),
                a.owner.clone().into(),
                a.due.map(Cell::Date).unwrap_or_else(|| "".into()),
                if late { "期限超過" } else { a.status.label() }.into(),
                a.meeting_id.and_then(|m| meeting_titles.get(&m)).cloned().unwrap_or_default().into(),
            ]);
        }
        out.push(AgencyList { agency: agency.clone(), grid, overdue });
    }
    out
}

/// The list as a printable document.
pub fn document(list: &AgencyList, notice: &str, secretariat: &str, today: NaiveDate, out: &OutputConfig) -> Document {
    let dates = out.date_style;
    Document::new(
        format!("役割分担一覧　{}", list.agency.name),
        notice,
        vec![
            Block::Fields(vec![
                ("機関".into(), list.agency.name.clone()),
                ("作成日".into(), dates.format(today)),
                ("作成".into(), secretariat.to_string()),
                ("件数".into(), format!("{}件（うち期限超過 {}件）", list.grid.rows.len(), list.overdue)),
            ]),
            Block::Table(list.grid.clone()),
            Block::Text(
                "実施状況は次回の進行管理会議で確認します。状況が変わった場合は事務局へご連絡ください。".into(),
            ),
        ],
    )
    .styled(out)
}

/// The file name for an institution's list: its code and name, made safe for every OS.
pub fn file_name(agency: &Agency, ext: &str) -> String {
    super::output::safe_file_name(&format!("役割分担_{}_{}.{ext}", agency.code, agency.name))
}
