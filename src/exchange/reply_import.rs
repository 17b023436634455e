//! Returned packets in: the 事前確認 column of each institution's .xlsx (了承 / 要協議 /
//! 修正あり, with ご意見・修正) read back and checked before anything is stored. Every row
//! must be one of the institution's own items of that meeting and name the same child; any
//! problem in any file stops the whole import, and one run reports them all.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use unicode_normalization::UnicodeNormalization;

use super::ledger_columns::normalize;
use super::packets::{
    self, ACTION_ROW, AGENCY_CODE, COMMENT, KANA, KIND, MEETING_NO, NAME, NUMBER, REPLY, WRITER, WRITTEN_ON,
};
use super::problem::{Problem, check_text};
use super::table_reader::{Cell, Table, cell_date};
use crate::domain::reply::{Answer, Reply};
use crate::domain::sheet::{NameCheck, Written, check_names};
use crate::domain::{Config, Id};
use crate::store::replies::ReplySaved;
use crate::store::{Store, StoreError};

/// One row of a returned packet with an answer or a comment.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplyRow {
    pub row: usize,
    pub number: String,
    pub name: String,
    pub kana: String,
    pub answer: Option<Answer>,
    pub comment: String,
}

/// One returned packet, with every problem found while reading it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReplyFile {
    pub file: String,
    pub meeting: Option<Id>,
    pub agency_code: String,
    pub writer: String,
    pub written_on: Option<NaiveDate>,
    /// The file's modification time, the tie-break between two versions with one 記入日.
    pub file_time: Option<i64>,
    pub rows: Vec<ReplyRow>,
    /// Rows of earlier actions with text in the reply cells (reported at the meeting instead).
    pub action_rows: usize,
    pub problems: Vec<Problem>,
}

impl ReplyFile {
    pub fn written(&self) -> Written {
        Written { on: self.written_on, file_time: self.file_time }
    }
}

/// Row index of the table's header: the row with both ケース番号 and the 事前確認 column.
fn header_row(table: &Table) -> Option<usize> {
    let reply = normalize("事前確認");
    table.rows.iter().take(60).position(|r| {
        r.cells.iter().any(|c| normalize(&c.text()) == normalize(NUMBER))
            && r.cells.iter().any(|c| normalize(&c.text()).starts_with(&reply))
    })
}

/// True when the table is a returned packet (the sheet of a workbook to read).
pub fn is_reply_sheet(table: &Table) -> bool {
    header_row(table).is_some()
}

/// Reads one returned packet. Pure: the store is not consulted.
pub fn parse(table: &Table) -> ReplyFile {
    let file = table.file.as_str();
    let mut out = ReplyFile { file: file.to_string(), ..ReplyFile::default() };
    let Some(hi) = header_row(table) else {
        out.problems.push(Problem::file(
            file,
            "事前送付資料の表（「ケース番号」と「事前確認」の列）が見つかりません。shinko agenda packets で作ったExcelファイルを返送してもらってください",
        ));
        return out;
    };
    let meta = |label: &str| {
        table.rows[..hi].iter().find(|r| normalize(&r.get(0).text()) == normalize(label)).map(|r| (r.number, r.get(1)))
    };
    match meta(MEETING_NO) {
        Some((n, c)) => match c.text().nfkc().collect::<String>().trim().parse::<Id>() {
            Ok(id) => out.meeting = Some(id),
            Err(_) => out.problems.push(Problem::cell(file, n, MEETING_NO, "会議番号が数字ではありません")),
        },
        None => out.problems.push(Problem::file(file, format!("「{MEETING_NO}」がありません"))),
    }
    match meta(AGENCY_CODE) {
        Some((_, c)) if !c.is_empty() => out.agency_code = c.text(),
        _ => out.problems.push(Problem::file(file, format!("「{AGENCY_CODE}」がありません"))),
    }
    if let Some((n, c)) = meta(WRITER) {
        out.writer = c.text();
        if let Err(e) = check_text(&out.writer, false) {
            out.problems.push(Problem::cell(file, n, WRITER, e));
        }
    }
    match meta(WRITTEN_ON).map(|(n, c)| (n, cell_date(c))) {
        Some((_, Ok(d))) => out.written_on = d,
        Some((n, Err(e))) => out.problems.push(Problem::cell(file, n, WRITTEN_ON, e)),
        None => {}
    }
    let header = &table.rows[hi];
    let col = |label: &str| {
        let want = normalize(label);
        header.cells.iter().position(|c| normalize(&c.text()) == want)
    };
    let (Some(kind), Some(number), Some(reply)) = (col(KIND), col(NUMBER), col(REPLY)) else {
        out.problems.push(Problem::row(
            file,
            header.number,
            format!("見出しに「{KIND}」「{NUMBER}」「事前確認」の列がそろっていません（様式を変えずに返送してもらってください）"),
        ));
        return out;
    };
    let (name, kana, comment) = (col(NAME), col(KANA), col(COMMENT));
    let text = |r: &super::table_reader::Row, c: Option<usize>| c.map(|c| r.get(c).text()).unwrap_or_default();
    for r in &table.rows[hi + 1..] {
        let num: String = r.get(number).text().nfkc().collect::<String>().trim().to_string();
        let answer_cell = match r.get(reply) {
            Cell::Empty => String::new(),
            c => c.text(),
        };
        let note = text(r, comment);
        if num.is_empty() && answer_cell.is_empty() && note.is_empty() {
            continue;
        }
        if normalize(&r.get(kind).text()) == normalize(ACTION_ROW) {
            if !answer_cell.is_empty() || !note.is_empty() {
                out.action_rows += 1;
            }
            continue;
        }
        if num.is_empty() {
            out.problems.push(Problem::cell(file, r.number, NUMBER, "ケース番号が空の行に回答があります"));
            continue;
        }
        let answer = match Answer::parse(&answer_cell) {
            Ok(a) => a,
            Err(e) => {
                out.problems.push(Problem::cell(file, r.number, REPLY, e));
                continue;
            }
        };
        if let Err(e) = check_text(&note, true) {
            out.problems.push(Problem::cell(file, r.number, COMMENT, e));
            continue;
        }
        if answer.is_none() && note.is_empty() {
            continue;
        }
        if answer.is_none() {
            out.problems.push(Problem::cell(
                file,
                r.number,
                REPLY,
                format!("ご意見・修正がありますが、事前確認（{}）が選ばれていません", Answer::labels()),
            ));
            continue;
        }
        out.rows.push(ReplyRow {
            row: r.number,
            number: num,
            name: text(r, name),
            kana: text(r, kana),
            answer,
            comment: note,
        });
    }
    out
}

/// What one file contributes, for the per-file table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileOutcome {
    pub file: String,
    pub agency: String,
    pub replies: usize,
    /// Another file of the same institution and meeting was written later and is used instead.
    pub superseded_by: Option<String>,
    pub action_rows: usize,
}

impl FileOutcome {
    pub fn line(&self) -> String {
        let mut s = format!("{}: {} 回答 {} 件", self.file, self.agency, self.replies);
        if let Some(other) = &self.superseded_by {
            s = format!("{}: {} 使いません（{other} の方が後に記入されています）", self.file, self.agency);
        }
        if self.action_rows > 0 {
            s += &format!(
                "／役割分担の行 {} 行は読み飛ばしました（実施状況は会議当日にご報告いただきます）",
                self.action_rows
            );
        }
        s
    }
}

/// The replies to store, each with the 重点協議 reason a 要協議 gives, or the problems.
#[derive(Debug, Clone, Default)]
pub struct ReplyPlan {
    pub replies: Vec<(Reply, Option<String>)>,
    pub files: Vec<FileOutcome>,
    pub problems: Vec<Problem>,
}

/// Matches every file against the store: the meeting (and `--meeting` when given), the
/// institution, and each row against the institution's own packet items and the child's name.
pub fn plan(
    store: &Store,
    files: &[ReplyFile],
    meeting: Option<Id>,
    today: NaiveDate,
    config: &Config,
) -> Result<ReplyPlan, StoreError> {
    let mut out = ReplyPlan::default();
    let agencies: BTreeMap<String, crate::domain::Agency> =
        store.agencies()?.into_iter().map(|a| (normalize(&a.code), a)).collect();
    // The latest version of each institution's reply to each meeting.
    let mut latest: BTreeMap<(Id, Id), usize> = BTreeMap::new();
    let mut packets_of: BTreeMap<Id, Vec<packets::Packet>> = BTreeMap::new();
    let mut usable = Vec::new();
    for (i, f) in files.iter().enumerate() {
        out.problems.extend(f.problems.iter().cloned());
        let Some(m) = f.meeting else { continue };
        if let Some(want) = meeting.filter(|w| *w != m) {
            out.problems.push(Problem::file(
                &f.file,
                format!("この回答は会議 {m} のものです（--meeting {want} を指定しています）"),
            ));
            continue;
        }
        let Some(agency) = agencies.get(&normalize(&f.agency_code)) else {
            if !f.agency_code.is_empty() {
                out.problems
                    .push(Problem::file(&f.file, format!("機関コード「{}」は登録されていません", f.agency_code)));
            }
            continue;
        };
        if f.written_on.is_some_and(|d| d > today) {
            out.problems.push(Problem::file(&f.file, format!("「{WRITTEN_ON}」が未来の日付です")));
        }
        if let std::collections::btree_map::Entry::Vacant(slot) = packets_of.entry(m) {
            match packets::split(store, m, config) {
                Ok(ps) => {
                    slot.insert(ps);
                }
                Err(packets::PacketError::Store(StoreError::NotFound { .. })) => {
                    out.problems.push(Problem::file(&f.file, format!("会議 {m} は登録されていません")));
                    continue;
                }
                Err(packets::PacketError::NoAgenda(_)) => {
                    out.problems.push(Problem::file(&f.file, format!("会議 {m} には議事次第がありません")));
                    continue;
                }
                Err(packets::PacketError::Store(e)) => return Err(e),
                Err(e) => {
                    out.problems.push(Problem::file(&f.file, e.to_string()));
                    continue;
                }
            }
        }
        let key = (m, agency.id);
        match latest.get(&key) {
            Some(&j) if files[j].written() >= f.written() => {
                out.files.push(outcome(f, agency, Some(files[j].file.clone())));
                continue;
            }
            Some(&j) => {
                if let Some(o) = out.files.iter_mut().find(|o| o.file == files[j].file) {
                    o.superseded_by = Some(f.file.clone());
                    o.replies = 0;
                }
                usable.retain(|u| *u != j);
            }
            None => {}
        }
        latest.insert(key, i);
        usable.push(i);
        out.files.push(outcome(f, agency, None));
    }
    for i in usable {
        let f = &files[i];
        let (Some(m), Some(agency)) = (f.meeting, agencies.get(&normalize(&f.agency_code))) else { continue };
        let Some(packet) = packets_of.get(&m).and_then(|ps| ps.iter().find(|p| p.agency.id == agency.id)) else {
            out.problems.push(Problem::file(
                &f.file,
                format!("会議 {m} の議事次第には、機関コード「{}」の機関に送付する議題がありません", f.agency_code),
            ));
            continue;
        };
        // The packet's cases by number, once per file: a 児相's packet for a joint meeting holds
        // thousands, and so does its reply.
        let mut by_number: HashMap<String, &packets::PacketCase> = HashMap::new();
        for c in &packet.cases {
            by_number.entry(normalize(&c.case.number)).or_insert(c);
        }
        let mut seen = BTreeSet::new();
        for r in &f.rows {
            let Some(&c) = by_number.get(&normalize(&r.number)) else {
                out.problems.push(Problem::cell(
                    &f.file,
                    r.row,
                    NUMBER,
                    format!("ケース番号 {} は、この機関に送付した会議 {m} の議題にありません", r.number),
                ));
                continue;
            };
            if check_names(&r.name, &r.kana, &c.case.name, &c.case.kana) == NameCheck::Differs {
                out.problems.push(Problem::cell(
                    &f.file,
                    r.row,
                    NAME,
                    format!(
                        "氏名が台帳のケース {} と一致しません（ケース番号の書き違いや行の入れ替えがないか確認してください）",
                        c.case.number
                    ),
                ));
                continue;
            }
            if !seen.insert(c.case.id) {
                out.problems.push(Problem::row(
                    &f.file,
                    r.row,
                    format!("ケース {} の回答が2行あります", c.case.number),
                ));
                continue;
            }
            let Some(answer) = r.answer else { continue };
            let reply = Reply {
                meeting_id: m,
                case_id: c.case.id,
                agency_id: agency.id,
                answer,
                comment: r.comment.trim().to_string(),
                writer: f.writer.clone(),
                written: f.written(),
            };
            if let Some(p) = reply.problem() {
                out.problems.push(Problem::cell(&f.file, r.row, COMMENT, p));
                continue;
            }
            let reason = reply.deep_reason(&agency.name);
            out.replies.push((reply, reason));
        }
    }
    Ok(out)
}

fn outcome(f: &ReplyFile, agency: &crate::domain::Agency, superseded_by: Option<String>) -> FileOutcome {
    FileOutcome {
        file: f.file.clone(),
        agency: agency.name.clone(),
        replies: if superseded_by.is_some() { 0 } else { f.rows.iter().filter(|r| r.answer.is_some()).count() },
        superseded_by,
        action_rows: f.action_rows,
    }
}

/// How many replies a store took: (stored, replaced, moved to 重点協議, kept because newer).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    pub stored: usize,
    pub replaced: usize,
    pub to_deep: usize,
    pub kept_newer: usize,
}

/// Stores the plan's replies in one transaction: all or nothing.
pub fn apply(store: &mut Store, plan: &ReplyPlan) -> Result<Applied, StoreError> {
    store.write(|t| {
        let mut n = Applied::default();
        for (reply, reason) in &plan.replies {
            match t.save_reply(reply, reason.as_deref())? {
                ReplySaved::Stored { replaced, to_deep } => {
                    n.stored += 1;
                    n.replaced += usize::from(replaced);
                    n.to_deep += usize::from(to_deep);
                }
                ReplySaved::KeptNewer => n.kept_newer += 1,
            }
        }
        Ok(n)
    })
}

/// Who has replied to a meeting's packets: per institution with 一括確認 items in its packet,
/// how many it was sent and how many it answered, and how.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AgencyReplies {
    pub agency: String,
    pub code: String,
    pub quick_items: usize,
    pub answered: usize,
    pub agree: usize,
    pub discuss: usize,
    pub amend: usize,
}

impl AgencyReplies {
    pub fn is_complete(&self) -> bool {
        self.answered >= self.quick_items
    }

    /// 「回答 3/5（要協議 1・修正あり 1）」 or 「未回答（5件）」.
    pub fn status(&self) -> String {
        if self.answered == 0 {
            return format!("未回答（{}件）", self.quick_items);
        }
        let mut s = format!("回答 {}/{}", self.answered, self.quick_items);
        let notes: Vec<String> = [(Answer::Discuss, self.discuss), (Answer::Amend, self.amend)]
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(a, n)| format!("{} {n}", a.label()))
            .collect();
        if !notes.is_empty() {
            s += &format!("（{}）", notes.join("・"));
        }
        s
    }
}

/// The reply status of every institution sent 一括確認 items for `meeting_id`.
pub fn reply_status(
    store: &Store,
    meeting_id: Id,
    config: &Config,
) -> Result<Vec<AgencyReplies>, packets::PacketError> {
    let replies = store.replies(meeting_id)?;
    // Who answered on which case (a 要協議 has since moved it to 重点協議), looked up rather
    // than searched for per case and institution.
    let answered: BTreeSet<(Id, Id)> = replies.iter().map(|r| (r.agency_id, r.case_id)).collect();
    let mut out = Vec::new();
    for p in packets::split(store, meeting_id, config)? {
        let quick: BTreeSet<Id> = p
            .cases
            .iter()
            .filter(|c| c.item.track == crate::domain::Track::Quick || answered.contains(&(p.agency.id, c.case.id)))
            .map(|c| c.case.id)
            .collect();
        if quick.is_empty() {
            continue;
        }
        let mine: Vec<&Reply> =
            replies.iter().filter(|r| r.agency_id == p.agency.id && quick.contains(&r.case_id)).collect();
        let count = |a: Answer| mine.iter().filter(|r| r.answer == a).count();
        out.push(AgencyReplies {
            agency: p.agency.name.clone(),
            code: p.agency.code.clone(),
            quick_items: quick.len(),
            answered: mine.len(),
            agree: count(Answer::Agree),
            discuss: count(Answer::Discuss),
            amend: count(Answer::Amend),
        });
    }
    Ok(out)
}
