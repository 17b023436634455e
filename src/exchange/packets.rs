//! 事前送付資料: one packet per institution before the meeting (高浜町: the 事務局案 is sent
//! ahead for confirmation; 府中市: institutions are told what they will be asked to explain).
//!
//! Data minimisation is the rule: a packet holds only the agenda cases the institution is
//! involved in (as 所属, 主担当 or a linked 関係機関), the 事務局案 of its quick items, the
//! questions addressed to it, the earlier meeting's actions it is to report on (with the
//! session where they are reviewed), the sessions in which its cases come up, and the
//! confidentiality notice on every page. Triage reasons stay with the secretariat.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::document::{self, Block, Cell, Document, Grid};
use super::output::{self, OutputError};
use crate::domain::mask::Masker;
use crate::domain::wareki::DateStyle;
use crate::domain::{Action, Agency, AgencyKind, AgendaItem, Case, Config, Id, Meeting, Session, Track};
use crate::store::{Store, StoreError};

/// The sentence every question to an institution ends with.
pub const ASK: &str = "この点についてご説明ください";

/// Labels of the packet's Excel form that `reply_import` reads back.
pub const MEETING_NO: &str = "会議番号";
pub use super::sheet_template::{AGENCY_CODE, NAME, NUMBER, WRITER, WRITTEN_ON};
pub const KIND: &str = "区分";
pub const KANA: &str = "ふりがな";
pub const REPLY: &str = "事前確認（了承・要協議・修正あり）";
pub const COMMENT: &str = "ご意見・修正";
/// What the 区分 column says of an earlier meeting's action.
pub const ACTION_ROW: &str = "役割分担の確認";

#[derive(Debug, thiserror::Error)]
pub enum PacketError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error("会議 {0} の議事次第がありません。先に議事次第を作成してください（shinko agenda build）")]
    NoAgenda(Id),
    #[error("{file}: {reason}")]
    Build { file: String, reason: String },
}

/// One case in one institution's packet.
#[derive(Debug, Clone, PartialEq)]
pub struct PacketCase {
    pub case: Case,
    pub item: AgendaItem,
    pub session: Option<Session>,
    /// How the institution is involved: 所属, 主担当, or the linked role.
    pub roles: Vec<String>,
}

impl PacketCase {
    /// Questions for `agency` on this case, each ending with [`ASK`].
    pub fn questions_for(&self, agency: Id) -> Vec<String> {
        self.item
            .questions
            .iter()
            .filter(|q| q.agency_id == agency)
            .map(|q| {
                let t = q.text.trim().trim_end_matches('。');
                if t.is_empty() || t.ends_with(ASK) { format!("{ASK}。") } else { format!("{t}。{ASK}。") }
            })
            .collect()
    }
}

/// An earlier meeting's action the institution is to report on, and where it is reviewed.
#[derive(Debug, Clone, PartialEq)]
pub struct PacketAction {
    pub action: Action,
    pub case: Case,
    pub session: Option<Session>,
}

/// Everything one institution receives.
#[derive(Debug, Clone, PartialEq)]
pub struct Packet {
    pub agency: Agency,
    pub meeting: Meeting,
    /// The sessions in which its cases or its actions come up, in order.
    pub sessions: Vec<Session>,
    pub cases: Vec<PacketCase>,
    pub actions: Vec<PacketAction>,
    /// How dates are written (`[output] date_style`).
    pub date_style: DateStyle,
}

/// The agenda of `meeting_id` split per involved institution (the secretariat excluded: it has
/// the whole agenda), with the open actions each is to report on, each packet's free text
/// masked but for its own children ([`mask_others`]): what is sent. Institutions with neither
/// a case nor an action get no packet.
pub fn gather(store: &Store, meeting_id: Id, config: &Config) -> Result<Vec<Packet>, PacketError> {
    let mut packets = split(store, meeting_id, config)?;
    // One masker of the whole ledger; each packet spares its own children.
    let everyone = Masker::for_ledger(&store.case_names()?, &config.confidentiality.unmasked_words);
    for p in &mut packets {
        mask_others(&mut p.cases, &mut p.actions, &everyone);
    }
    Ok(packets)
}

/// The packets as stored, unmasked: what replies are read against (which institution had which
/// item). Nothing built from it leaves the office.
pub fn split(store: &Store, meeting_id: Id, config: &Config) -> Result<Vec<Packet>, PacketError> {
    let meeting = store.meeting(meeting_id)?;
    let sessions = store.sessions(meeting_id)?;
    let items = store.agenda(meeting_id)?;
    if items.is_empty() {
        return Err(PacketError::NoAgenda(meeting_id));
    }
    let agencies: BTreeMap<Id, Agency> = store.agencies()?.into_iter().map(|a| (a.id, a)).collect();
    let plan = store.agenda_plan(meeting_id, config)?;
    // The agenda's cases, their 関係機関 and the reviewed actions' cases in one statement each,
    // not one per item (a joint meeting has tens of thousands).
    let mut ids: Vec<Id> = items.iter().map(|i| i.case_id).collect();
    ids.extend(plan.sessions.iter().flat_map(|sp| sp.action_review.iter().map(|a| a.case_id)));
    let cases = store.cases_by_id(&ids)?;
    let links = store.case_agencies_of_cases(&ids)?;
    let case_of = |id: Id| cases.get(&id).cloned().ok_or(StoreError::NotFound { entity: "ケース", id });
    let mut per_agency: BTreeMap<Id, Vec<PacketCase>> = BTreeMap::new();
    for item in items {
        let case = case_of(item.case_id)?;
        let mut roles: BTreeMap<Id, Vec<String>> = BTreeMap::new();
        if let Some(a) = case.affiliation {
            roles.entry(a).or_default().push("所属".into());
        }
        if let Some(a) = case.lead_agency {
            roles.entry(a).or_default().push("主担当".into());
        }
        for (a, role) in links.get(&case.id).cloned().unwrap_or_default() {
            let r = if role.trim().is_empty() { "関係機関".to_string() } else { role };
            roles.entry(a).or_default().push(r);
        }
        let session = item.session_id.and_then(|s| sessions.iter().find(|x| x.id == s).cloned());
        for (agency, roles) in roles {
            per_agency.entry(agency).or_default().push(PacketCase {
                case: case.clone(),
                item: item.clone(),
                session: session.clone(),
                roles,
            });
        }
    }
    let mut per_agency_actions: BTreeMap<Id, Vec<PacketAction>> = BTreeMap::new();
    for sp in plan.sessions {
        for a in sp.action_review {
            let Some(agency) = a.agency_id else { continue };
            let case = case_of(a.case_id)?;
            per_agency_actions.entry(agency).or_default().push(PacketAction {
                action: a,
                case,
                session: Some(sp.session.clone()),
            });
        }
    }
    let involved: std::collections::BTreeSet<Id> =
        per_agency.keys().chain(per_agency_actions.keys()).copied().collect();
    let mut out = Vec::new();
    for agency_id in involved {
        let Some(agency) = agencies.get(&agency_id) else { continue };
        if agency.kind == AgencyKind::Secretariat {
            continue;
        }
        let cases = per_agency.remove(&agency_id).unwrap_or_default();
        let actions = per_agency_actions.remove(&agency_id).unwrap_or_default();
        let used: Vec<Session> = sessions
            .iter()
            .filter(|s| {
                cases.iter().any(|c| c.item.session_id == Some(s.id))
                    || actions.iter().any(|a| a.session.as_ref().is_some_and(|x| x.id == s.id))
            })
            .cloned()
            .collect();
        out.push(Packet {
            agency: agency.clone(),
            meeting: meeting.clone(),
            sessions: used,
            cases,
            actions,
            date_style: config.output.date_style,
        });
    }
    Ok(out)
}

/// The free text of a packet with every person blotted out but the children it is about (a
/// sibling at another school, a parent, another institution's child): the one ledger masker
/// ([`Masker::for_ledger`]) sparing the packet's children.
fn mask_others(cases: &mut [PacketCase], actions: &mut [PacketAction], everyone: &Masker) {
    let own = cases.iter().map(|c| &c.case).chain(actions.iter().map(|a| &a.case));
    let masker = everyone.sparing(own.map(|c| (c.name.as_str(), c.kana.as_str())));
    for c in cases {
        let d = &mut c.item.draft;
        for t in [&mut d.summary, &mut d.policy].into_iter().chain(d.close_reason.as_mut()) {
            *t = masker.scrub(t);
        }
        for q in &mut c.item.questions {
            q.text = masker.scrub(&q.text);
        }
    }
    for a in actions {
        a.action.what = masker.scrub(&a.action.what);
    }
}

/// Questions addressed to an institution not involved in the case: no packet carries them
/// (data minimisation), so the secretariat is told. Returns (case number, agency name).
pub fn unsent_questions(store: &Store, meeting_id: Id) -> Result<Vec<(String, String)>, PacketError> {
    let agencies: BTreeMap<Id, Agency> = store.agencies()?.into_iter().map(|a| (a.id, a)).collect();
    let mut out = Vec::new();
    for item in store.agenda(meeting_id)?.into_iter().filter(|i| !i.questions.is_empty()) {
        let case = store.case(item.case_id)?;
        let linked: Vec<Id> = store.case_agencies(case.id)?.into_iter().map(|(a, _)| a).collect();
        for q in &item.questions {
            let involved = case.affiliation == Some(q.agency_id)
                || case.lead_agency == Some(q.agency_id)
                || linked.contains(&q.agency_id);
            let secretariat = agencies.get(&q.agency_id).is_some_and(|a| a.kind == AgencyKind::Secretariat);
            if !involved || secretariat {
                let name =
                    agencies.get(&q.agency_id).map(|a| a.name.clone()).unwrap_or_else(|| q.agency_id.to_string());
                out.push((case.number.clone(), name));
            }
        }
    }
    Ok(out)
}

fn session_text(s: &Session, style: DateStyle) -> String {
    format!("{} {}〜{} {}", style.format(s.date), s.start.format("%H:%M"), s.end.format("%H:%M"), s.label)
}

fn case_session(c: &PacketCase, style: DateStyle) -> String {
    c.session.as_ref().map(|s| session_text(s, style)).unwrap_or_else(|| "日程未定".into())
}

fn person(c: &Case) -> String {
    if c.kana.is_empty() { c.name.clone() } else { format!("{}（{}）", c.name, c.kana) }
}

fn date_or_blank(d: Option<chrono::NaiveDate>, style: DateStyle) -> String {
    d.map(|d| style.format(d)).unwrap_or_default()
}

/// The 事務局案 as label/value pairs (quick items only).
fn draft_rows(c: &PacketCase, style: DateStyle) -> Vec<(&'static str, String)> {
    let d = &c.item.draft;
    let mut rows = vec![
        ("状況（事務局案）", d.summary.clone()),
        ("援助方針（事務局案）", d.policy.clone()),
        (
            "ランク",
            d.rank.clone().map(|r| format!("{r} に変更")).unwrap_or_else(|| format!("{}（変更なし）", c.case.rank)),
        ),
        ("次回確認日", date_or_blank(d.next_review, style)),
    ];
    if let Some(reason) = &d.close_reason {
        rows.push(("終結の提案", reason.clone()));
    }
    rows
}

fn title(p: &Packet) -> String {
    format!("{} 事前送付資料（{} 御中）", p.meeting.title, p.agency.name)
}

fn meeting_fields(p: &Packet) -> Vec<(String, String)> {
    let quick = p.cases.iter().filter(|c| c.item.track == Track::Quick).count();
    let deep = p.cases.len() - quick;
    let dates = p.sessions.iter().map(|s| session_text(s, p.date_style)).collect::<Vec<_>>().join("\n");
    vec![
        ("会議".into(), p.meeting.title.clone()),
        ("場所".into(), p.meeting.place.clone()),
        ("日程".into(), if dates.is_empty() { "日程未定".into() } else { dates }),
        ("対象ケース".into(), format!("{} 件（一括確認 {quick} 件・重点協議 {deep} 件）", p.cases.len())),
    ]
}

fn owned(rows: Vec<(&str, String)>) -> Block {
    Block::Fields(rows.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

/// The packet for reading (Word): the meeting, the questions, then each case.
pub fn document(p: &Packet, config: &Config) -> Document {
    let mut blocks = vec![
        Block::Fields(meeting_fields(p)),
        Block::Text(format!(
            "貴機関が関わるケースについて、事務局案と当日ご説明をお願いしたい事項をお送りします。\
             事務局案にご意見・修正がある場合は、会議の前日までに{}までご連絡ください。",
            config.municipality.secretariat
        )),
    ];
    let asked: Vec<&PacketCase> = p.cases.iter().filter(|c| !c.questions_for(p.agency.id).is_empty()).collect();
    if !asked.is_empty() {
        blocks.push(Block::Heading("1. 当日ご説明をお願いしたい事項".into()));
        for c in asked {
            blocks.push(owned(vec![
                ("ケース", format!("{} {}", c.case.number, person(&c.case))),
                ("日程", case_session(c, p.date_style)),
                ("ご説明いただきたいこと", c.questions_for(p.agency.id).join("\n")),
            ]));
        }
    }
    let quick: Vec<&PacketCase> = p.cases.iter().filter(|c| c.item.track == Track::Quick).collect();
    if !quick.is_empty() {
        blocks.push(Block::Heading("2. 一括確認のケース（事務局案のご確認）".into()));
        for c in quick {
            let mut rows = vec![
                ("ケース", format!("{} {}", c.case.number, person(&c.case))),
                ("関わり", c.roles.join("・")),
                ("日程", case_session(c, p.date_style)),
            ];
            rows.extend(draft_rows(c, p.date_style));
            blocks.push(owned(rows));
        }
    }
    let deep: Vec<&PacketCase> = p.cases.iter().filter(|c| c.item.track == Track::Deep).collect();
    if !deep.is_empty() {
        blocks.push(Block::Heading("3. 重点協議のケース".into()));
        blocks.push(Block::Text("当日、最近の様子と対応をご報告ください。".into()));
        for c in deep {
            blocks.push(owned(vec![
                ("ケース", format!("{} {}", c.case.number, person(&c.case))),
                ("関わり", c.roles.join("・")),
                ("日程", case_session(c, p.date_style)),
            ]));
        }
    }
    if !p.actions.is_empty() {
        blocks.push(Block::Heading("4. 前回の役割分担（当日、実施状況をご報告ください）".into()));
        for a in &p.actions {
            blocks.push(owned(vec![
                ("ケース", format!("{} {}", a.case.number, person(&a.case))),
                (
                    "日程",
                    a.session.as_ref().map(|s| session_text(s, p.date_style)).unwrap_or_else(|| "日程未定".into()),
                ),
                ("内容", a.action.what.clone()),
                ("担当者", a.action.owner.clone()),
                ("期限", date_or_blank(a.action.due, p.date_style)),
            ]));
        }
    }
    Document::new(title(p), config.confidentiality.notice.clone(), blocks)
}

/// The packet as a Word document.
pub fn to_docx(p: &Packet, config: &Config) -> Result<Vec<u8>, String> {
    document::to_docx(&document(p, config)).map_err(|e| e.to_string())
}

/// The packet as one worksheet, a row per case, with a column for the institution's reply.
pub fn to_xlsx(p: &Packet, config: &Config) -> Result<Vec<u8>, String> {
    let mut grid = Grid::new(&[
        (KIND, 5),
        ("日程", 12),
        (NUMBER, 6),
        (NAME, 7),
        (KANA, 8),
        ("関わり", 6),
        ("状況（事務局案）", 14),
        ("援助方針（事務局案）", 14),
        ("ランク", 6),
        ("次回確認日", 8),
        ("終結の提案", 10),
        ("ご説明いただきたいこと", 14),
        (REPLY, 8),
        (COMMENT, 14),
    ])
    .choice_column(12, &crate::domain::reply::Answer::ALL.map(|a| a.label()));
    for c in &p.cases {
        let quick = c.item.track == Track::Quick;
        let d = &c.item.draft;
        let draft = |v: String| Cell::from(if quick { v } else { String::new() });
        grid.row(vec![
            c.item.track.label().into(),
            case_session(c, p.date_style).into(),
            c.case.number.clone().into(),
            c.case.name.clone().into(),
            c.case.kana.clone().into(),
            c.roles.join("・").into(),
            draft(d.summary.clone()),
            draft(d.policy.clone()),
            draft(d.rank.clone().unwrap_or_else(|| format!("{}（変更なし）", c.case.rank))),
            // A date cell in Excel (和暦 format), so the institution can sort and filter by it.
            d.next_review.filter(|_| quick).map(Cell::Date).unwrap_or_else(|| "".into()),
            draft(d.close_reason.clone().unwrap_or_default()),
            c.questions_for(p.agency.id).join("\n").into(),
            "".into(),
            "".into(),
        ]);
    }
    for a in &p.actions {
        let due = a.action.due.map(|d| format!("（期限 {}）", p.date_style.format(d))).unwrap_or_default();
        grid.row::<String>(vec![
            ACTION_ROW.to_string(),
            a.session.as_ref().map(|s| session_text(s, p.date_style)).unwrap_or_else(|| "日程未定".into()),
            a.case.number.clone(),
            a.case.name.clone(),
            a.case.kana.clone(),
            "担当".to_string(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            format!("前回の役割分担「{}」{due}の実施状況をご報告ください", a.action.what),
            String::new(),
            String::new(),
        ]);
    }
    let mut fields = meeting_fields(p);
    fields.splice(
        0..0,
        [(MEETING_NO.to_string(), p.meeting.id.to_string()), (AGENCY_CODE.to_string(), p.agency.code.clone())],
    );
    fields.extend([(WRITER.to_string(), String::new()), (WRITTEN_ON.to_string(), String::new())]);
    let how = format!(
        "各行の「事前確認」欄で {} のいずれかを選び、修正ありの場合は「{COMMENT}」欄に修正の内容を書いてください。\
         記入者・記入日を書いて、このファイルのまま会議の前日までに{}へ返送してください。\
         会議番号・機関コード・ケース番号の欄は変更しないでください。",
        crate::domain::reply::Answer::labels(),
        config.municipality.secretariat
    );
    let doc = Document::new(
        title(p),
        config.confidentiality.notice.clone(),
        vec![Block::Fields(fields), Block::Text(how), Block::Table(grid)],
    );
    document::to_xlsx(&doc, "事前送付資料").map_err(|e| e.to_string())
}

/// The file name stem of an institution's packet.
pub fn file_stem(p: &Packet) -> String {
    output::safe_file_name(&format!("事前送付資料_{}_{}", p.agency.code, p.agency.name))
}

/// Writes every institution's packet (.docx and .xlsx) into `dir`. Nothing is written if any
/// file exists (unless `force`) or any packet cannot be built. Returns the files written.
pub fn write_packets(
    store: &Store,
    meeting_id: Id,
    dir: &Path,
    force: bool,
    config: &Config,
) -> Result<Vec<PathBuf>, PacketError> {
    let packets = gather(store, meeting_id, config)?;
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    for p in &packets {
        let stem = file_stem(p);
        let build = |ext: &str, r: Result<Vec<u8>, String>| {
            r.map(|b| (dir.join(format!("{stem}.{ext}")), b))
                .map_err(|reason| PacketError::Build { file: format!("{stem}.{ext}"), reason })
        };
        files.push(build("docx", to_docx(p, config))?);
        files.push(build("xlsx", to_xlsx(p, config))?);
    }
    for (path, _) in &files {
        output::check_free(path, force)?;
    }
    output::ensure_dir(dir)?;
    let mut written = Vec::new();
    for (path, bytes) in files {
        output::write_file(&path, &bytes, force)?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{self, Scale};

    /// The packets read the agenda's cases and their 関係機関 in one statement each: none is
    /// run once per item, so the reads do not grow with a joint meeting's agenda.
    #[test]
    fn gathering_reads_no_case_one_item_at_a_time() {
        let mut store = Store::open_in_memory().unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let sum = demo::generate(&mut store, Scale::Takahama, 2024, today).unwrap();
        let items = store.agenda(sum.next_meeting).unwrap().len();
        crate::store::trace_statements(store.conn());
        let list = gather(&store, sum.next_meeting, &Config::default()).unwrap();
        let ran = crate::store::traced_statements(store.conn());
        assert!(items >= 10 && !list.is_empty());
        let one_case =
            |q: &&String| q.contains("FROM cases WHERE id = ?1") || q.contains("FROM case_agencies WHERE case_id = ?1");
        assert_eq!(ran.iter().filter(one_case).count(), 0, "{items} items: {ran:#?}");
    }
}
