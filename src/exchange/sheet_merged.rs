//! The merged sheet of a case (`domain::sheet_merge`) with institution names and item labels
//! filled in, for `shinko sheets merged` as text or JSON.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::config::SheetItem;
use crate::domain::sheet_merge::MergedSheets;
use crate::domain::{Agency, Id, wareki};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MergedReport {
    pub case_number: String,
    pub institutions: Vec<InstitutionColumn>,
    pub missing: Vec<MissingRow>,
    /// The largest fall of the safety scale among institutions, as [before, now].
    pub worst_drop: Option<(u8, u8)>,
    pub lowest_scale: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstitutionColumn {
    pub agency_code: String,
    pub agency_name: String,
    pub period: NaiveDate,
    pub written_on: Option<NaiveDate>,
    pub safety_scale: Option<u8>,
    pub previous_period: Option<NaiveDate>,
    pub previous_scale: Option<u8>,
    pub scale_change: Option<i16>,
    /// Labels of every ticked item.
    pub checks: Vec<String>,
    /// Labels of items ticked now and not in the previous period.
    pub newly_ticked: Vec<String>,
    /// Labels of items no longer ticked.
    pub cleared: Vec<String>,
    /// Narrative answers as (label, text), in the configured order.
    pub notes: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MissingRow {
    pub agency_code: String,
    pub agency_name: String,
    pub period: NaiveDate,
}

fn label(items: &[SheetItem], key: &str) -> String {
    items.iter().find(|i| i.key == key).map(|i| i.label.clone()).unwrap_or_else(|| key.to_string())
}

pub fn report(
    case_number: &str,
    m: &MergedSheets,
    agencies: &HashMap<Id, Agency>,
    items: &[SheetItem],
) -> MergedReport {
    let ag = |id: Id| agencies.get(&id).map(|a| (a.code.clone(), a.name.clone())).unwrap_or_default();
    let labels = |keys: &[String]| keys.iter().map(|k| label(items, k)).collect::<Vec<_>>();
    MergedReport {
        case_number: case_number.to_string(),
        institutions: m
            .columns
            .iter()
            .map(|c| {
                let (agency_code, agency_name) = ag(c.agency_id);
                let mut notes: Vec<(String, String)> = items
                    .iter()
                    .filter_map(|i| c.latest.notes.get(&i.key).map(|t| (i.label.clone(), t.clone())))
                    .collect();
                notes.extend(
                    c.latest
                        .notes
                        .iter()
                        .filter(|(k, _)| !items.iter().any(|i| &i.key == *k))
                        .map(|(k, v)| (k.clone(), v.clone())),
                );
                InstitutionColumn {
                    agency_code,
                    agency_name,
                    period: c.latest.period,
                    written_on: c.latest.written_on,
                    safety_scale: c.latest.safety_scale,
                    previous_period: c.previous.as_ref().map(|p| p.period),
                    previous_scale: c.previous.as_ref().and_then(|p| p.safety_scale),
                    scale_change: c.scale_change(),
                    checks: labels(&c.latest.checks),
                    newly_ticked: labels(&c.newly_ticked),
                    cleared: labels(&c.cleared),
                    notes,
                }
            })
            .collect(),
        missing: m
            .missing
            .iter()
            .map(|x| {
                let (agency_code, agency_name) = ag(x.agency_id);
                MissingRow { agency_code, agency_name, period: x.period }
            })
            .collect(),
        worst_drop: m.worst_drop(),
        lowest_scale: m.lowest_scale(),
    }
}

/// Plain text for the terminal.
pub fn text(r: &MergedReport) -> String {
    let mut s = format!("ケース {}\n", r.case_number);
    let opt = |x: Option<u8>| x.map(|v| v.to_string()).unwrap_or_else(|| "-".into());
    for c in &r.institutions {
        let change = match (c.previous_scale, c.scale_change) {
            (Some(p), Some(d)) => format!("（前回 {p}、{d:+}）"),
            _ => String::new(),
        };
        s += &format!(
            "  {}（{}） {}  スケール {}{change}\n",
            c.agency_name,
            c.agency_code,
            wareki::display(c.period, true),
            opt(c.safety_scale)
        );
        if !c.newly_ticked.is_empty() {
            s += &format!("    新たに該当: {}\n", c.newly_ticked.join("、"));
        }
        let still: Vec<&String> = c.checks.iter().filter(|k| !c.newly_ticked.contains(k)).collect();
        if !still.is_empty() {
            s += &format!("    引き続き該当: {}\n", still.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("、"));
        }
        if !c.cleared.is_empty() {
            s += &format!("    該当しなくなった: {}\n", c.cleared.join("、"));
        }
        for (k, v) in &c.notes {
            s += &format!("    {k}: {}\n", v.replace('\n', " "));
        }
    }
    for m in &r.missing {
        s += &format!("  未提出: {}（{}） {}\n", m.agency_name, m.agency_code, wareki::display(m.period, true));
    }
    if r.institutions.is_empty() && r.missing.is_empty() {
        s += "  シートはありません\n";
    }
    s
}
