//! 事前送付資料: one packet per institution before the meeting (高浜町: the 事務局案 is sent
//! ahead for confirmation; 府中市: institutions are told what they will be asked to explain).
//!
//! Data minimisation is the rule: a packet holds only the agenda cases the institution is
//! involved in (as 所属, 主担当 or a linked 関係機関), the 事務局案 of its quick items, the
//! questions addressed to it, the sessions in which its cases come up, and the
//! confidentiality notice on every page. Triage reasons stay with the secretariat.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{Format, Workbook};

use super::docx::Doc;
use super::output::{self, OutputError};
use crate::domain::{Agency, AgencyKind, AgendaItem, Case, Config, Id, Meeting, Session, Track, wareki};
use crate::store::{Store, StoreError};

/// The sentence every question to an institution ends with.
pub const ASK: &str = "この点についてご説明ください";

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

/// Everything one institution receives.
#[derive(Debug, Clone, PartialEq)]
pub struct Packet {
    pub agency: Agency,
    pub meeting: Meeting,
    /// The sessions in which its cases come up, in order.
    pub sessions: Vec<Session>,
    pub cases: Vec<PacketCase>,
}

/// The agenda of `meeting_id` split per involved institution (the secretariat excluded: it has
/// the whole agenda). Institutions with no case on the agenda get no packet.
pub fn gather(store: &Store, meeting_id: Id) -> Result<Vec<Packet>, PacketError> {
    let meeting = store.meeting(meeting_id)?;
    let sessions = store.sessions(meeting_id)?;
    let items = store.agenda(meeting_id)?;
    if items.is_empty() {
        return Err(PacketError::NoAgenda(meeting_id));
    }
    let agencies: BTreeMap<Id, Agency> = store.agencies()?.into_iter().map(|a| (a.id, a)).collect();
    let mut per_agency: BTreeMap<Id, Vec<PacketCase>> = BTreeMap::new();
    for item in items {
        let case = store.case(item.case_id)?;
        let mut roles: BTreeMap<Id, Vec<String>> = BTreeMap::new();
        if let Some(a) = case.affiliation {
            roles.entry(a).or_default().push("所属".into());
        }
        if let Some(a) = case.lead_agency {
            roles.entry(a).or_default().push("主担当".into());
        }
        for (a, role) in store.case_agencies(case.id)? {
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
    let mut out = Vec::new();
    for (agency_id, cases) in per_agency {
        let Some(agency) = agencies.get(&agency_id) else { continue };
        if agency.kind == AgencyKind::Secretariat {
            continue;
        }
        let used: Vec<Session> =
            sessions.iter().filter(|s| cases.iter().any(|c| c.item.session_id == Some(s.id))).cloned().collect();
        out.push(Packet { agency: agency.clone(), meeting: meeting.clone(), sessions: used, cases });
    }
    Ok(out)
}

fn session_text(s: &Session) -> String {
    format!("{} {}〜{} {}", wareki::format(s.date), s.start.format("%H:%M"), s.end.format("%H:%M"), s.label)
}

fn case_session(c: &PacketCase) -> String {
    c.session.as_ref().map(session_text).unwrap_or_else(|| "日程未定".into())
}

fn person(c: &Case) -> String {
    if c.kana.is_empty() { c.name.clone() } else { format!("{}（{}）", c.name, c.kana) }
}

fn date_or_blank(d: Option<chrono::NaiveDate>) -> String {
    d.map(wareki::format).unwrap_or_default()
}

/// The 事務局案 as label/value pairs (quick items only).
fn draft_rows(c: &PacketCase) -> Vec<(&'static str, String)> {
    let d = &c.item.draft;
    let mut rows = vec![
        ("状況（事務局案）", d.summary.clone()),
        ("援助方針（事務局案）", d.policy.clone()),
        (
            "ランク",
            d.rank.clone().map(|r| format!("{r} に変更")).unwrap_or_else(|| format!("{}（変更なし）", c.case.rank)),
        ),
        ("次回確認日", date_or_blank(d.next_review)),
    ];
    if let Some(reason) = &d.close_reason {
        rows.push(("終結の提案", reason.clone()));
    }
    rows
}

fn title(p: &Packet) -> String {
    format!("{}\n事前送付資料（{} 御中）", p.meeting.title, p.agency.name)
}

/// The packet as a Word document.
pub fn to_docx(p: &Packet, config: &Config) -> Result<Vec<u8>, String> {
    let notice = &config.confidentiality.notice;
    let quick = p.cases.iter().filter(|c| c.item.track == Track::Quick).count();
    let deep = p.cases.len() - quick;
    let mut doc = Doc::new(notice).title(&title(p));
    let mut meeting_rows = vec![("会議", p.meeting.title.clone()), ("場所", p.meeting.place.clone())];
    let dates = p.sessions.iter().map(session_text).collect::<Vec<_>>().join("\n");
    meeting_rows.push(("日程", if dates.is_empty() { "日程未定".into() } else { dates }));
    meeting_rows.push(("対象ケース", format!("{} 件（一括確認 {quick} 件・重点協議 {deep} 件）", p.cases.len())));
    doc = doc.fields(&meeting_rows).para(&format!(
        "貴機関が関わるケースについて、事務局案と当日ご説明をお願いしたい事項をお送りします。\
         事務局案にご意見・修正がある場合は、会議の前日までに{}までご連絡ください。",
        config.municipality.secretariat
    ));

    let asked: Vec<&PacketCase> = p.cases.iter().filter(|c| !c.questions_for(p.agency.id).is_empty()).collect();
    if !asked.is_empty() {
        doc = doc.heading("1. 当日ご説明をお願いしたい事項");
        for c in asked {
            doc = doc.fields(&[
                ("ケース", format!("{} {}", c.case.number, person(&c.case))),
                ("日程", case_session(c)),
                ("ご説明いただきたいこと", c.questions_for(p.agency.id).join("\n")),
            ]);
        }
    }
    if quick > 0 {
        doc = doc.heading("2. 一括確認のケース（事務局案のご確認）");
        for c in p.cases.iter().filter(|c| c.item.track == Track::Quick) {
            let mut rows = vec![
                ("ケース", format!("{} {}", c.case.number, person(&c.case))),
                ("関わり", c.roles.join("・")),
                ("日程", case_session(c)),
            ];
            rows.extend(draft_rows(c));
            doc = doc.fields(&rows);
        }
    }
    if deep > 0 {
        doc = doc.heading("3. 重点協議のケース");
        doc = doc.para("当日、最近の様子と対応をご報告ください。");
        for c in p.cases.iter().filter(|c| c.item.track == Track::Deep) {
            doc = doc.fields(&[
                ("ケース", format!("{} {}", c.case.number, person(&c.case))),
                ("関わり", c.roles.join("・")),
                ("日程", case_session(c)),
            ]);
        }
    }
    doc.to_bytes()
}

const XLSX_HEADER: [&str; 13] = [
    "区分",
    "日程",
    "ケース番号",
    "氏名",
    "ふりがな",
    "関わり",
    "状況（事務局案）",
    "援助方針（事務局案）",
    "ランク",
    "次回確認日",
    "終結の提案",
    "ご説明いただきたいこと",
    "ご意見・修正",
];

/// Excel's header/footer holds at most 255 characters, and `&` starts a code there.
fn header_footer_text(notice: &str) -> String {
    let t: String = notice.chars().take(200).collect();
    format!("&C{}", t.replace('&', "&&"))
}

/// The packet as one worksheet, a row per case, with a column for the institution's reply.
pub fn to_xlsx(p: &Packet, config: &Config) -> Result<Vec<u8>, String> {
    let err = |e: rust_xlsxwriter::XlsxError| format!("Excelファイルを作成できません: {e}");
    let notice = &config.confidentiality.notice;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("事前送付資料").map_err(err)?;
    ws.set_landscape().set_paper_size(9).set_print_fit_to_pages(1, 0);
    ws.set_header(header_footer_text(notice)).set_footer(header_footer_text(notice));
    let bold = Format::new().set_bold();
    let red = Format::new().set_bold().set_font_color(rust_xlsxwriter::Color::RGB(0xC00000));
    let wrap = Format::new().set_text_wrap().set_align(rust_xlsxwriter::FormatAlign::Top);
    let head = Format::new().set_bold().set_background_color(rust_xlsxwriter::Color::RGB(0xEDEDED)).set_text_wrap();
    ws.write_string_with_format(0, 0, notice, &red).map_err(err)?;
    ws.write_string_with_format(1, 0, title(p).replace('\n', " "), &bold).map_err(err)?;
    ws.write_string(2, 0, format!("場所: {}", p.meeting.place)).map_err(err)?;
    let dates = p.sessions.iter().map(session_text).collect::<Vec<_>>().join(" ／ ");
    ws.write_string(3, 0, format!("日程: {}", if dates.is_empty() { "日程未定".into() } else { dates }))
        .map_err(err)?;
    let first = 5;
    for (col, h) in XLSX_HEADER.iter().enumerate() {
        ws.write_string_with_format(first, col as u16, *h, &head).map_err(err)?;
    }
    for (col, w) in [10, 28, 12, 14, 16, 12, 30, 30, 12, 16, 20, 30, 30].into_iter().enumerate() {
        ws.set_column_width(col as u16, w).map_err(err)?;
    }
    ws.set_freeze_panes(first + 1, 0).map_err(err)?;
    ws.set_repeat_rows(first, first).map_err(err)?;
    for (i, c) in p.cases.iter().enumerate() {
        let row = first + 1 + i as u32;
        let quick = c.item.track == Track::Quick;
        let d = &c.item.draft;
        let values = [
            c.item.track.label().to_string(),
            case_session(c),
            c.case.number.clone(),
            c.case.name.clone(),
            c.case.kana.clone(),
            c.roles.join("・"),
            if quick { d.summary.clone() } else { String::new() },
            if quick { d.policy.clone() } else { String::new() },
            if quick {
                d.rank.clone().unwrap_or_else(|| format!("{}（変更なし）", c.case.rank))
            } else {
                String::new()
            },
            if quick { date_or_blank(d.next_review) } else { String::new() },
            if quick { d.close_reason.clone().unwrap_or_default() } else { String::new() },
            c.questions_for(p.agency.id).join("\n"),
            String::new(),
        ];
        for (col, v) in values.iter().enumerate() {
            ws.write_string_with_format(row, col as u16, v, &wrap).map_err(err)?;
        }
    }
    wb.save_to_buffer().map_err(err)
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
    let packets = gather(store, meeting_id)?;
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
