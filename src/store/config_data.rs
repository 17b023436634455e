//! The data checked against the configuration in force: codes the configuration no longer
//! has (a rank renamed or removed, a 部会 dropped) are reported, never silently replaced; a
//! rank is renamed in the data with one audited command.

use std::collections::BTreeMap;

use super::{Result, Store, StoreError};
use crate::domain::{Config, MeetingStatus, Registration};

/// One code in the data that the configuration does not have, and where it is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigMismatch {
    /// What the code is (「ランク（要保護児童・要支援児童）」, 「部会」, 「事務局案のランク」,
    /// 「終結理由区分」).
    pub what: &'static str,
    pub code: String,
    /// Where: case numbers, or session labels.
    pub used_by: Vec<String>,
}

/// The scheme a case's rank belongs to, as the configuration names it.
fn scheme_name(r: Registration) -> &'static str {
    if r == Registration::ExpectantMother {
        "ランク（特定妊婦, expectant_ranks）"
    } else {
        "ランク（ranks）"
    }
}

impl Store {
    /// Every code the data uses that `cfg` does not define: ranks of cases, ranks proposed in
    /// the 事務局案 of meetings not yet closed, and the 部会 of their sessions.
    pub fn config_mismatches(&self, cfg: &Config) -> Result<Vec<ConfigMismatch>> {
        let mut found: BTreeMap<(&'static str, String), Vec<String>> = BTreeMap::new();
        let cases = self.cases(true)?;
        for c in &cases {
            if cfg.rank_scheme(c.registration).get(&c.rank).is_none() {
                found.entry((scheme_name(c.registration), c.rank.clone())).or_default().push(c.number.clone());
            }
        }
        // 終結理由区分 no longer configured: the statistics still count them under their own
        // names, and the town is told here.
        let known = |k: &str| k.trim().is_empty() || cfg.closing.categories.iter().any(|c| c == k.trim());
        for c in &cases {
            if let Some(cl) = c.closure.as_ref().filter(|cl| !known(&cl.category)) {
                found.entry(("終結理由区分", cl.category.trim().to_string())).or_default().push(c.number.clone());
            }
        }
        let number = |id| cases.iter().find(|c| c.id == id).map(|c| c.number.clone()).unwrap_or_default();
        for m in self.meetings()?.into_iter().filter(|m| m.status != MeetingStatus::Closed) {
            for s in self.sessions(m.id)? {
                if let Some(code) = s.section.filter(|code| !cfg.sections.iter().any(|x| x.code == *code)) {
                    found.entry(("部会", code)).or_default().push(format!("{} {}", m.title, s.label));
                }
            }
            for d in self.decisions(m.id)?.into_iter().filter(|d| !known(&d.category)) {
                found
                    .entry(("終結理由区分（会議の決定）", d.category.trim().to_string()))
                    .or_default()
                    .push(number(d.case_id));
            }
            for i in self.agenda(m.id)? {
                let Some(rank) = &i.draft.rank else { continue };
                let reg =
                    cases.iter().find(|c| c.id == i.case_id).map_or(Registration::NeedsProtection, |c| c.registration);
                if cfg.rank_scheme(reg).get(rank).is_none() {
                    found.entry(("事務局案のランク", rank.clone())).or_default().push(number(i.case_id));
                }
            }
        }
        Ok(found.into_iter().map(|((what, code), used_by)| ConfigMismatch { what, code, used_by }).collect())
    }

    /// Renames rank `from` to `to` in the data of one scheme (特定妊婦 when `expectant`): every
    /// case, and the 事務局案 of meetings not yet closed, in one audited transaction. `to` must
    /// be configured and `from` no longer (rename it in the configuration first). Decisions
    /// already taken keep the rank they recorded. Returns (cases, drafts) changed.
    pub fn rename_rank(&mut self, from: &str, to: &str, expectant: bool, cfg: &Config) -> Result<(usize, usize)> {
        let reg = if expectant { Registration::ExpectantMother } else { Registration::NeedsProtection };
        let scheme = cfg.rank_scheme(reg);
        if scheme.get(to).is_none() {
            return Err(StoreError::invalid(
                "ランク",
                format!("「{to}」は設定にありません。先に設定ファイルに加えてください"),
            ));
        }
        if scheme.get(from).is_some() {
            return Err(StoreError::invalid(
                "ランク",
                format!("「{from}」はまだ設定にあります。設定ファイルで名前を「{to}」に変えてから実行してください"),
            ));
        }
        let in_scheme = |r: Registration| (r == Registration::ExpectantMother) == expectant;
        let all = self.cases(true)?;
        let open: Vec<_> = self.meetings()?.into_iter().filter(|m| m.status != MeetingStatus::Closed).collect();
        self.write(|t| {
            let mut cases = 0;
            for id in all.iter().filter(|c| in_scheme(c.registration)).map(|c| c.id) {
                // Read again inside the transaction: what another window saved since is kept.
                let mut c = t.case(id)?;
                if c.rank == from {
                    c.rank = to.to_string();
                    t.save_case(&c)?;
                    cases += 1;
                }
            }
            let mut drafts = 0;
            for m in &open {
                for mut i in t.read().agenda(m.id)? {
                    let ours = all.iter().find(|c| c.id == i.case_id).is_some_and(|c| in_scheme(c.registration));
                    if ours && i.draft.rank.as_deref() == Some(from) {
                        i.draft.rank = Some(to.to_string());
                        t.save_agenda_item(&i)?;
                        drafts += 1;
                    }
                }
            }
            t.audit("config", None, "rank_renamed", Some(from), Some(to))?;
            Ok((cases, drafts))
        })
    }
}
