//! Matches every row of the filled sheets to its case and institution before anything is
//! stored: the number must name a case whose 氏名/ふりがな are the ones written
//! (`domain::sheet::check_names`), the child must belong to the sheet's institution, the
//! 機関名 must be the 機関コード's, and two versions of one sheet are settled by 記入日. Every
//! problem of every file is collected, and a table says per file what happens.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::problem::Problem;
use super::sheet_import::{SheetFile, SheetRow};
use super::sheet_template::{AGENCY_CODE, AGENCY_NAME, NAME, NUMBER};
use crate::domain::agency::{AgencyMatch, match_agency};
use crate::domain::mask::case_label;
use crate::domain::sheet::{NameCheck, Written, check_names};
use crate::domain::{Agency, AssessmentSheet, Case, Id};
use crate::store::{Store, StoreError};

/// Which version wins when a sheet for the same case, institution and period is given twice
/// (in this import, or already stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefer {
    /// The later 記入日, then the later file (a tie goes to the one imported now).
    New,
    /// The earlier 記入日, then the earlier file (a tie goes to the one stored first).
    Old,
}

impl Prefer {
    /// Whether the version being imported now wins over `other` (a tie goes to the one
    /// imported now under `New`, to the other under `Old`).
    pub fn keeps(self, now: Written, other: Written) -> bool {
        match self {
            Prefer::New => now >= other,
            Prefer::Old => now < other,
        }
    }
}

/// What happens to one file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FileOutcome {
    pub file: String,
    pub agency_code: String,
    /// Sheets that will be stored from it, and how many of them replace a stored one.
    pub stored: usize,
    pub replacing: usize,
    /// Its versions that lost to another version of the same sheet.
    pub dropped: usize,
    pub blank: usize,
    /// Rows the same as what is already stored (a file sent again).
    pub unchanged: usize,
    /// Nothing at all filled in (the template came back as it was sent).
    pub unfilled: bool,
    pub problems: usize,
}

impl FileOutcome {
    /// A file that could not be read at all.
    pub fn unread(file: &str) -> Self {
        FileOutcome { file: file.to_string(), problems: 1, ..FileOutcome::default() }
    }

    pub fn status(&self) -> String {
        if self.problems > 0 {
            return format!("取り込めません（問題 {} 件）", self.problems);
        }
        if self.unfilled {
            return "未記入の様式（何も記入されていません）".into();
        }
        if self.unchanged > 0 && self.stored == 0 && self.dropped == 0 {
            return format!(
                "取込済みと同じ内容です（{} 件）。前の月のファイルをもう一度送っていないか確かめてください",
                self.unchanged
            );
        }
        let mut s = format!("取込 {} 件", self.stored);
        if self.replacing > 0 {
            s += &format!("（うち置き換え {} 件）", self.replacing);
        }
        if self.dropped > 0 {
            s += &format!(" / 別の版を採用 {} 件", self.dropped);
        }
        if self.unchanged > 0 {
            s += &format!(" / 取込済みと同じ {} 件", self.unchanged);
        }
        if self.blank > 0 {
            s += &format!(" / 未記入の行 {} 件", self.blank);
        }
        s
    }

    /// One line of the per-file table.
    pub fn line(&self) -> String {
        let code = if self.agency_code.is_empty() { String::new() } else { format!("（{}）", self.agency_code) };
        format!("{}{code}: {}", self.file, self.status())
    }
}

/// Two versions of one sheet and the one kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub number: String,
    pub agency_code: String,
    pub period: NaiveDate,
    pub kept: String,
    pub dropped: String,
    /// Both have the same 記入日: the file time decided.
    pub same_day: bool,
}

impl Choice {
    pub fn text(&self) -> String {
        let why =
            if self.same_day { "（記入日が同じため、ファイルの更新日時で判断）" } else { "" };
        format!(
            "ケース {}・{}・{}: {} を採用し、{} は採用しません{why}",
            self.number, self.agency_code, self.period, self.kept, self.dropped
        )
    }
}

/// What an import will store, what it found wrong, and what it says per file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SheetPlan {
    pub sheets: Vec<AssessmentSheet>,
    /// Sheets that replace one already stored.
    pub replacing: usize,
    /// Versions dropped because another version of the same sheet wins.
    pub kept_old: usize,
    pub blank_rows: usize,
    pub files: Vec<FileOutcome>,
    pub choices: Vec<Choice>,
    /// Every problem of every file (reading and matching); any one stops the import.
    pub problems: Vec<Problem>,
}

pub(crate) fn version(label: &str, on: Option<NaiveDate>, stored: bool) -> String {
    let on = on.map(|d| format!("記入日 {d}")).unwrap_or_else(|| "記入日なし".into());
    if stored { format!("取込済みの {label}（{on}）") } else { format!("{label}（{on}）") }
}

/// File names as told to the user; two files of the same name (two mail folders) get their
/// place in the argument list.
pub(crate) fn labels(files: &[&str]) -> Vec<String> {
    files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            if files.iter().filter(|g| *g == f).count() > 1 {
                format!("{f}（{} 番目のファイル）", i + 1)
            } else {
                f.to_string()
            }
        })
        .collect()
}

/// What identifies a row of an institution's file: its row, the ケース番号 and the names
/// written, checked against the ledger by [`Lookup::check_row`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct RowKey<'r> {
    pub row: usize,
    pub number: &'r str,
    pub name: &'r str,
    pub kana: &'r str,
}

impl SheetRow {
    fn key(&self) -> RowKey<'_> {
        RowKey { row: self.row, number: &self.number, name: &self.name, kana: &self.kana }
    }
}

/// A planned sheet and where it came from.
struct Planned {
    file: usize,
    row: usize,
    written: Written,
    /// It replaces a sheet already stored.
    replaces: bool,
}

/// The store, read once per case and agency as rows ask.
pub(crate) struct Lookup<'s> {
    store: &'s Store,
    cases: HashMap<String, Option<Case>>,
    links: HashMap<Id, Vec<Id>>,
    agencies: Vec<Agency>,
    everyone: Option<Vec<Case>>,
}

impl<'s> Lookup<'s> {
    pub fn new(store: &'s Store) -> Result<Self, StoreError> {
        Ok(Lookup { store, cases: HashMap::new(), links: HashMap::new(), agencies: store.agencies()?, everyone: None })
    }

    /// The institution a file's 機関コード names, after checking that the code is registered
    /// and that the 機関名 written beside it is that institution's; else the problems.
    pub fn agency(
        &self,
        file: &str,
        code: &str,
        code_row: usize,
        name: Option<&(usize, String)>,
        problems: &mut Vec<Problem>,
    ) -> Result<Option<Agency>, StoreError> {
        let agency = if code.is_empty() { None } else { self.store.agency_by_code(code)? };
        if agency.is_none() && !code.is_empty() {
            problems.push(Problem::cell(
                file,
                code_row,
                AGENCY_CODE,
                format!("機関コード「{code}」は登録されていません"),
            ));
        }
        if let (Some(a), Some((row, name))) = (&agency, name)
            && !name.trim().is_empty()
            && match_agency(name, &self.agencies) != AgencyMatch::One(a.id)
        {
            problems.push(Problem::cell(
                file,
                *row,
                AGENCY_NAME,
                format!(
                    "機関名「{}」は機関コード「{}」の機関（{}）ではありません。別の機関の様式を使っていないか確かめてください",
                    name.trim(),
                    a.code,
                    a.name
                ),
            ));
        }
        Ok(agency)
    }

    /// Reads every case the files' rows name, and their 関係機関, in two statements instead
    /// of two per row.
    fn preload(&mut self, files: &[SheetFile]) -> Result<(), StoreError> {
        let numbers: Vec<&str> = files.iter().flat_map(|f| f.rows.iter().map(|r| r.number.as_str())).collect();
        let found = self.store.cases_by_numbers(&numbers)?;
        let ids: Vec<Id> = found.values().map(|c| c.id).collect();
        let mut links = self.store.case_agencies_of_cases(&ids)?;
        for id in ids {
            let l = links.remove(&id).unwrap_or_default();
            self.links.insert(id, l.into_iter().map(|(a, _)| a).collect());
        }
        for n in numbers {
            self.cases.insert(n.to_string(), found.get(n).cloned());
        }
        Ok(())
    }

    fn case(&mut self, number: &str) -> Result<Option<Case>, StoreError> {
        if !self.cases.contains_key(number) {
            let c = self.store.case_by_number(number)?;
            self.cases.insert(number.to_string(), c);
        }
        Ok(self.cases[number].clone())
    }

    fn linked(&mut self, case: &Case, agency: Id) -> Result<bool, StoreError> {
        if case.affiliation == Some(agency) {
            return Ok(true);
        }
        if !self.links.contains_key(&case.id) {
            let l = self.store.case_agencies(case.id)?.into_iter().map(|(a, _)| a).collect();
            self.links.insert(case.id, l);
        }
        Ok(self.links[&case.id].contains(&agency))
    }

    fn code(&self, id: Option<Id>) -> Option<&str> {
        self.agencies.iter().find(|a| Some(a.id) == id).map(|a| a.code.as_str())
    }

    /// The case (other than `not`) whose names the row gives, preferring the institution's
    /// own children: the child a mistyped number was meant for.
    fn named_by(&mut self, r: RowKey<'_>, not: Option<Id>, agency: Option<Id>) -> Result<Option<Case>, StoreError> {
        if self.everyone.is_none() {
            self.everyone = Some(self.store.cases(true)?);
        }
        let fits: Vec<&Case> = self
            .everyone
            .iter()
            .flatten()
            .filter(|c| Some(c.id) != not && check_names(r.name, r.kana, &c.name, &c.kana) == NameCheck::Same)
            .collect();
        Ok(fits.iter().find(|c| agency.is_some() && c.affiliation == agency).or(fits.first()).map(|c| (*c).clone()))
    }

    /// The case a row names, when its 氏名/ふりがな are that child's and the child belongs to
    /// the sheet's institution; else the reason, as a problem, and None.
    pub fn check_row(
        &mut self,
        file: &str,
        r: RowKey<'_>,
        agency: Option<&Agency>,
        problems: &mut Vec<Problem>,
    ) -> Result<Option<Case>, StoreError> {
        let problem = |reason: String, column: &str| Problem::cell(file, r.row, column, reason);
        let Some(case) = self.case(r.number)? else {
            let hint = match self.named_by(r, None, agency.map(|a| a.id))? {
                Some(c) => format!("（氏名はケース {}（{}）と一致します）", c.number, case_label(&c)),
                None => String::new(),
            };
            problems.push(problem(format!("ケース番号「{}」は台帳にありません{hint}", r.number), NUMBER));
            return Ok(None);
        };
        match check_names(r.name, r.kana, &case.name, &case.kana) {
            NameCheck::Same => {}
            NameCheck::Missing => {
                problems.push(problem(
                    format!("ケース {} の行に氏名がありません（ケース番号だけでは児童を確かめられません）", r.number),
                    NAME,
                ));
                return Ok(None);
            }
            NameCheck::Differs => {
                let written = match self.named_by(r, Some(case.id), agency.map(|a| a.id))? {
                    Some(c) => format!(
                        "シートの氏名はケース {}（{}）のものです。ケース番号の書き間違いではありませんか",
                        c.number,
                        case_label(&c)
                    ),
                    None => "シートの氏名は台帳のどの児童とも一致しません。ケース番号と氏名を確かめてください".into(),
                };
                problems.push(problem(
                    format!("ケース番号 {} の児童（{}）と氏名が一致しません。{written}", r.number, case_label(&case)),
                    NAME,
                ));
                return Ok(None);
            }
        }
        let Some(agency) = agency else { return Ok(None) };
        if !self.linked(&case, agency.id)? {
            let home = match self.code(case.affiliation) {
                Some(code) => format!("（所属は {code}）。別の機関の様式を使っていないか確かめてください"),
                None => String::new(),
            };
            problems.push(problem(
                format!("ケース {} は機関「{}」の児童として登録されていません{home}", r.number, agency.code),
                NUMBER,
            ));
            return Ok(None);
        }
        Ok(Some(case))
    }
}

/// Matches every row of every file to its case and institution and settles two versions of
/// one sheet. Only a database error is an `Err`; everything wrong with the files is in
/// [`SheetPlan::problems`], all of them at once.
pub fn plan(store: &Store, files: &[SheetFile], prefer: Option<Prefer>) -> Result<SheetPlan, StoreError> {
    let mut out = SheetPlan::default();
    let names = labels(&files.iter().map(|f| f.file.as_str()).collect::<Vec<_>>());
    let mut planned: Vec<Planned> = Vec::new();
    let mut chosen: HashMap<(Id, Id, NaiveDate), usize> = HashMap::new();
    let mut look = Lookup::new(store)?;
    look.preload(files)?;
    let mut outcomes: Vec<FileOutcome> = files
        .iter()
        .map(|f| FileOutcome {
            file: f.file.clone(),
            agency_code: f.agency_code.clone(),
            blank: f.blank,
            unfilled: f.rows.is_empty(),
            ..FileOutcome::default()
        })
        .collect();
    let mut problems: Vec<(usize, Problem)> = Vec::new();
    let mut row_problems = Vec::new();
    for (fi, f) in files.iter().enumerate() {
        out.blank_rows += f.blank;
        problems.extend(f.problems.iter().cloned().map(|p| (fi, p)));
        let mut head_problems = Vec::new();
        let agency =
            look.agency(&f.file, &f.agency_code, f.agency_code_row, f.agency_name.as_ref(), &mut head_problems)?;
        problems.extend(head_problems.into_iter().map(|p| (fi, p)));
        for r in &f.rows {
            let Some(case) = look.check_row(&f.file, r.key(), agency.as_ref(), &mut row_problems)? else {
                problems.extend(row_problems.drain(..).map(|p| (fi, p)));
                continue;
            };
            let Some(agency) = &agency else { continue };
            let problem = |reason: String, column: &str| (fi, Problem::cell(&f.file, r.row, column, reason));
            let Some(period) = f.period else { continue };
            let sheet = AssessmentSheet {
                id: 0,
                case_id: case.id,
                agency_id: agency.id,
                period,
                written_on: f.written_on,
                checks: r.checks.clone(),
                notes: r.notes.clone(),
                safety_scale: r.scale,
                writer: f.writer.clone(),
                source: f.file.clone(),
            };
            let mut me = Planned { file: fi, row: r.row, written: f.written(), replaces: false };
            let key = (case.id, agency.id, period);
            let choice = |kept: String, dropped: String, same_day: bool| Choice {
                number: r.number.clone(),
                agency_code: agency.code.clone(),
                period,
                kept,
                dropped,
                same_day,
            };
            if let Some(&i) = chosen.get(&key) {
                let other = &planned[i];
                let Some(p) = prefer else {
                    problems.push(problem(
                        format!(
                            "ケース {} の {period} 期間のシートが {} {}行目 と重複しています。--prefer new（記入日の新しい方）か --prefer old（古い方）で選んでください",
                            r.number, names[other.file], other.row
                        ),
                        NUMBER,
                    ));
                    continue;
                };
                let mine_wins = p.keeps(me.written, other.written);
                let same_day = me.written.on == other.written.on;
                let mine = version(&names[fi], f.written_on, false);
                let theirs = version(&names[other.file], other.written.on, false);
                out.kept_old += 1;
                if mine_wins {
                    out.choices.push(choice(mine, theirs, same_day));
                    outcomes[other.file].dropped += 1;
                    outcomes[other.file].stored -= 1;
                    outcomes[fi].stored += 1;
                    if other.replaces {
                        outcomes[other.file].replacing -= 1;
                        outcomes[fi].replacing += 1;
                        me.replaces = true;
                    }
                    out.sheets[i] = sheet;
                    planned[i] = me;
                } else {
                    out.choices.push(choice(theirs, mine, same_day));
                    outcomes[fi].dropped += 1;
                }
                continue;
            }
            if let Some(old) = store.sheet_for(case.id, agency.id, period)? {
                let Some(p) = prefer else {
                    problems.push(problem(
                        format!(
                            "ケース {} の {period} 期間のシートが取込済みのもの（{}）と重複しています。--prefer new（記入日の新しい方）か --prefer old（古い方）で選んでください",
                            r.number, old.source
                        ),
                        NUMBER,
                    ));
                    continue;
                };
                let theirs = Written { on: old.written_on, file_time: None };
                let mine_wins = p.keeps(me.written, theirs);
                let same_day = me.written.on == theirs.on;
                let mine = version(&names[fi], f.written_on, false);
                let stored = version(&old.source, old.written_on, true);
                if !mine_wins {
                    out.choices.push(choice(stored, mine, same_day));
                    out.kept_old += 1;
                    outcomes[fi].dropped += 1;
                    continue;
                }
                out.choices.push(choice(mine, stored, same_day));
                out.replacing += 1;
                outcomes[fi].replacing += 1;
                me.replaces = true;
            }
            chosen.insert(key, out.sheets.len());
            out.sheets.push(sheet);
            outcomes[fi].stored += 1;
            planned.push(me);
        }
    }
    for (fi, _) in &problems {
        outcomes[*fi].problems += 1;
    }
    out.problems = problems.into_iter().map(|(_, p)| p).collect();
    out.files = outcomes;
    Ok(out)
}

/// Stores every planned sheet in one transaction.
pub fn apply(store: &mut Store, plan: &SheetPlan) -> Result<usize, StoreError> {
    store.write(|t| {
        for s in &plan.sheets {
            t.save_sheet(s)?;
        }
        Ok(plan.sheets.len())
    })
}
