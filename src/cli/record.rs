//! `shinko record ...`: what the meeting screen records, for scripts and tests. Every command
//! refuses while another shinko runs the same meeting on screen.

use crate::cli::console::outln;
use clap::{Args, Subcommand};
use color_eyre::eyre::{Result, bail, eyre};
use serde::Serialize;

use super::{Ctx, ListFormat};
use crate::domain::meeting::live::{self, DeepForm};
use crate::domain::{ActionStatus, AgendaItem, Attendance, AttendanceStatus, Id, ItemState, wareki};
use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum RecordCmd {
    /// 会議を開始する（準備中 → 開催中）
    Start(MeetingArg),
    /// 出欠を記録する
    Attend(AttendArgs),
    /// 前回の役割分担の実施状況を記録する
    ReviewAction(ReviewArgs),
    /// 一括確認のケースを事務局案どおり承認する
    Accept(CaseArg),
    /// 重点協議のケースの協議結果を記録する
    Decide(DecideArgs),
    /// ケースを次回の会議へ延期する
    Defer(CaseArg),
    /// 会議の進み具合を表示する
    Status(StatusArgs),
    /// 会議を終了し、協議結果を台帳に反映する
    Close(MeetingArg),
}

#[derive(Debug, Args)]
pub struct MeetingArg {
    /// 会議ID
    #[arg(long)]
    pub meeting: Id,
}

#[derive(Debug, Args)]
pub struct CaseArg {
    #[arg(long)]
    pub meeting: Id,
    /// ケース番号
    #[arg(long)]
    pub case: String,
}

#[derive(Debug, Args)]
pub struct AttendArgs {
    #[arg(long)]
    pub meeting: Id,
    /// 機関名または機関コード
    #[arg(long)]
    pub agency: String,
    /// 出席 / 欠席 / 情報提供 / オブザーバー
    #[arg(long)]
    pub status: String,
    /// 出席者名
    #[arg(long, default_value = "")]
    pub person: String,
    /// 事前の情報提供を受け取った日
    #[arg(long)]
    pub received: Option<String>,
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    #[arg(long)]
    pub meeting: Id,
    /// 役割分担のID
    #[arg(long)]
    pub action: Id,
    /// 実施済 / 実施不可 / 未実施（done / not_possible / not_done）
    #[arg(long)]
    pub status: String,
    #[arg(long, default_value = "")]
    pub note: String,
    /// 実施日（実施済のとき。和暦または YYYY-MM-DD。省略時は確認した日で数えます）
    #[arg(long)]
    pub done_on: Option<String>,
}

#[derive(Debug, Args)]
pub struct DecideArgs {
    #[arg(long)]
    pub meeting: Id,
    #[arg(long)]
    pub case: String,
    /// 状況
    #[arg(long)]
    pub summary: Option<String>,
    /// 評価（ランク）
    #[arg(long)]
    pub rank: Option<String>,
    /// 決定: 継続 / 終結 / 個別ケース検討会議を開催 / 児相へ送致・協議 / 主担当機関変更 / 移管・転出 / その他
    #[arg(long)]
    pub kind: Option<String>,
    /// 終結・移管などの理由
    #[arg(long)]
    pub reason: Option<String>,
    /// 終結理由区分（終結・移管のとき必須。設定の [closing] categories のどれか）
    #[arg(long)]
    pub category: Option<String>,
    /// 新しい主担当機関（主担当機関変更のとき）
    #[arg(long)]
    pub new_lead: Option<String>,
    /// 援助方針
    #[arg(long)]
    pub policy: Option<String>,
    /// 役割分担「機関／担当者／内容／期限」（複数可。機関は登録済みの名前か略称）
    #[arg(long = "action")]
    pub actions: Vec<String>,
    /// 登録されていない機関名（新主担当・役割分担）を新しい機関として登録する
    #[arg(long)]
    pub new_agency: bool,
    /// 次回確認日（省略時はランクの間隔から提案）
    #[arg(long)]
    pub next_review: Option<String>,
    #[arg(long)]
    pub notes: Option<String>,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[arg(long)]
    pub meeting: Id,
    #[arg(long, value_enum, default_value = "table")]
    pub format: ListFormat,
}

pub fn run(ctx: &Ctx, c: RecordCmd) -> Result<()> {
    let mut store = ctx.open_store()?;
    let meeting = match &c {
        RecordCmd::Start(a) | RecordCmd::Close(a) => a.meeting,
        RecordCmd::Attend(a) => a.meeting,
        RecordCmd::ReviewAction(a) => a.meeting,
        RecordCmd::Accept(a) | RecordCmd::Defer(a) => a.meeting,
        RecordCmd::Decide(a) => a.meeting,
        RecordCmd::Status(a) => a.meeting,
    };
    store.meeting(meeting)?;
    // While another shinko runs the meeting, every write below is refused by the store inside
    // its own transaction (StoreError::MeetingLive), so there is no check to make here.
    match c {
        RecordCmd::Start(_) => {
            let m = store.start_meeting(meeting)?;
            outln!("会議 {} 「{}」を開始しました", m.id, m.title);
        }
        RecordCmd::Attend(a) => attend(&mut store, a, ctx.today)?,
        RecordCmd::ReviewAction(a) => {
            let status = parse_action_status(&a.status)?;
            let done_on = a
                .done_on
                .as_deref()
                .map(|t| wareki::parse_date_near(t, ctx.today))
                .transpose()
                .map_err(|e| eyre!("--done-on: {e}"))?;
            let act = store.review_action(meeting, a.action, status, &a.note, done_on, ctx.today)?;
            outln!("役割分担 {} を「{}」にしました", act.id, act.status.label());
        }
        RecordCmd::Accept(a) => {
            let item = item_of(&store, meeting, &a.case)?;
            let next = live::walk_on(&store.agenda(meeting)?, item.id);
            let d = store.accept_item(&ctx.config, item.id, next)?;
            let review = d.next_review.map(wareki::format_short).unwrap_or_else(|| "-".into());
            outln!("ケース {} を事務局案どおり承認しました（{}、次回確認 {review}）", a.case, d.kind.label());
        }
        RecordCmd::Decide(a) => decide(ctx, &mut store, a)?,
        RecordCmd::Defer(a) => {
            let mut item = item_of(&store, meeting, &a.case)?;
            item.defer();
            let next = live::walk_on(&store.agenda(meeting)?, item.id);
            store.update_item(&item, next)?;
            outln!("ケース {} を次回へ延期しました", a.case);
        }
        RecordCmd::Status(a) => status(&store, meeting, a.format)?,
        RecordCmd::Close(_) => {
            let s = store.close_meeting(meeting)?;
            if let Some(note) = crate::domain::meeting::closed_ahead_note(&store.sessions(meeting)?, ctx.today) {
                eprintln!("{note}");
            }
            outln!(
                "会議 {meeting} を終了しました。台帳に反映 {} 件（うち終結・移管 {} 件）、次回へ延期 {} 件",
                s.updated,
                s.closed,
                s.deferred
            );
            for c in &s.conflicts {
                outln!("{}", c.message());
            }
        }
    }
    Ok(())
}

fn item_of(store: &Store, meeting: Id, number: &str) -> Result<AgendaItem> {
    let case = store.case_by_number(number)?.ok_or_else(|| eyre!("ケース番号「{number}」は台帳にありません"))?;
    store
        .agenda(meeting)?
        .into_iter()
        .find(|i| i.case_id == case.id)
        .ok_or_else(|| eyre!("ケース {number} は会議 {meeting} の議題にありません"))
}

fn parse_attendance(s: &str) -> Result<AttendanceStatus> {
    let t = s.trim();
    AttendanceStatus::ALL
        .into_iter()
        .find(|a| a.code() == t || a.label() == t)
        .or(match t {
            "情報提供" | "情報提供あり" => Some(AttendanceStatus::InfoSent),
            _ => None,
        })
        .ok_or_else(|| eyre!("--status: 「{t}」は出席・欠席・情報提供・オブザーバーのどれでもありません"))
}

fn parse_action_status(s: &str) -> Result<ActionStatus> {
    let t = s.trim();
    ActionStatus::ALL
        .into_iter()
        .find(|a| a.code() == t || a.label() == t)
        .or(match t {
            "実施不可" => Some(ActionStatus::NotPossible),
            _ => None,
        })
        .ok_or_else(|| eyre!("--status: 「{t}」は実施済・実施不可・未実施のどれでもありません"))
}

fn attend(store: &mut Store, a: AttendArgs, today: chrono::NaiveDate) -> Result<()> {
    let agency = match store.agency_by_code(&a.agency)? {
        Some(x) => x,
        None => store.agency_by_name(&a.agency)?.ok_or_else(|| eyre!("機関「{}」は登録されていません", a.agency))?,
    };
    let status = parse_attendance(&a.status)?;
    let received = a
        .received
        .as_deref()
        .map(|t| wareki::parse_date_near(t, today))
        .transpose()
        .map_err(|e| eyre!("--received: {e}"))?;
    if received.is_some() && status != AttendanceStatus::InfoSent {
        bail!("--received は「情報提供」のときだけ指定できます");
    }
    store.record_attendance(&Attendance {
        meeting_id: a.meeting,
        agency_id: agency.id,
        status,
        person: a.person.trim().to_string(),
        info_received_on: received,
    })?;
    outln!("{}: {}", agency.name, status.label());
    Ok(())
}

fn decide(ctx: &Ctx, store: &mut Store, a: DecideArgs) -> Result<()> {
    let item = item_of(store, a.meeting, &a.case)?;
    let case = store.case(item.case_id)?;
    let on = store.item_date(&item)?;
    let mut f = DeepForm::from_item(&item, &case, &ctx.config, on);
    let set = |field: &mut String, v: Option<String>| {
        if let Some(v) = v {
            *field = v;
        }
    };
    set(&mut f.summary, a.summary);
    set(&mut f.kind, a.kind);
    set(&mut f.reason, a.reason);
    set(&mut f.category, a.category);
    set(&mut f.new_lead, a.new_lead);
    set(&mut f.policy, a.policy);
    set(&mut f.notes, a.notes);
    if let Some(r) = a.rank {
        // A rank change moves the proposed review date with it, unless one is given.
        if a.next_review.is_none() {
            f.next_review = live::proposed_next_review(&ctx.config, &case, &r, on).format("%Y/%m/%d").to_string();
        }
        f.rank = r;
    }
    set(&mut f.next_review, a.next_review);
    f.propose_review_when_continuing(&ctx.config, &case, on);
    f.actions = a.actions.join("\n");
    let mut rec = f.check(&ctx.config, &case, on).map_err(|e| eyre!("ケース {}: {e}", a.case))?;
    if let Some(moved) = &rec.review_moved {
        eprintln!("ケース {}: {moved}", a.case);
    }
    rec.new_agencies = a.new_agency;
    let next = live::walk_on(&store.agenda(a.meeting)?, item.id);
    let d =
        store.record_item(item.id, &rec, &ctx.config.closing.categories, next).map_err(super::ledger::agency_hint)?;
    outln!("ケース {} の協議結果を記録しました（{}、役割分担 {} 件）", a.case, d.kind.label(), rec.actions.len());
    Ok(())
}

#[derive(Serialize)]
struct ItemStatus {
    case: String,
    track: &'static str,
    state: &'static str,
    elapsed_secs: i64,
    decision: Option<&'static str>,
}

#[derive(Serialize)]
struct MeetingStatusOut {
    meeting: Id,
    status: &'static str,
    current_case: Option<String>,
    attendance: usize,
    done: usize,
    pending: usize,
    deferred: usize,
    items: Vec<ItemStatus>,
}

fn status(store: &Store, meeting: Id, format: ListFormat) -> Result<()> {
    let m = store.meeting(meeting)?;
    let items = store.agenda(meeting)?;
    // Cases and decisions found by id, one statement for all the cases: a joint meeting has
    // tens of thousands of items.
    let cases = store.cases_by_id(&items.iter().map(|i| i.case_id).collect::<Vec<_>>())?;
    let number = |case_id: Id| cases.get(&case_id).map(|c| c.number.clone()).unwrap_or_default();
    let decisions = store.decisions(meeting)?;
    let mut decision_of: std::collections::HashMap<Id, &crate::domain::Decision> = std::collections::HashMap::new();
    for d in &decisions {
        decision_of.entry(d.case_id).or_insert(d);
    }
    let count = |s: ItemState| items.iter().filter(|i| i.state == s).count();
    let out = MeetingStatusOut {
        meeting,
        status: m.status.code(),
        current_case: m.current_item.and_then(|id| items.iter().find(|i| i.id == id)).map(|i| number(i.case_id)),
        attendance: store.attendance(meeting)?.len(),
        done: count(ItemState::Done),
        pending: count(ItemState::Pending),
        deferred: count(ItemState::Deferred),
        items: items
            .iter()
            .map(|i| ItemStatus {
                case: number(i.case_id),
                track: i.track.code(),
                state: i.state.code(),
                elapsed_secs: i.elapsed_secs,
                decision: decision_of.get(&i.case_id).map(|d| d.kind.code()),
            })
            .collect(),
    };
    match format {
        ListFormat::Json => outln!("{}", serde_json::to_string_pretty(&out)?),
        ListFormat::Table => {
            outln!(
                "会議 {} 「{}」 {}  済 {} / 未 {} / 延期 {}  出欠記録 {} 機関",
                m.id,
                m.title,
                m.status.label(),
                out.done,
                out.pending,
                out.deferred,
                out.attendance
            );
            if let Some(c) = &out.current_case {
                outln!("現在のケース: {c}");
            }
            // The table speaks Japanese; JSON keeps the stable codes for scripts.
            for (i, row) in items.iter().zip(&out.items) {
                let decision = decision_of.get(&i.case_id).map(|d| d.kind.label());
                outln!(
                    "{}\t{}\t{}\t{}\t{}",
                    row.case,
                    i.track.label(),
                    i.state.label(),
                    live::clock_text(i.elapsed_secs),
                    decision.unwrap_or("")
                );
            }
        }
    }
    Ok(())
}
