//! `shinko agenda ...`: preparing a meeting's agenda (triage, sessions, the secretariat's edits,
//! institutions' requests, the 議事次第).

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use color_eyre::eyre::{Result, bail, eyre};
use serde::Serialize;

use super::meeting::find_agency;
use super::{Ctx, ListFormat};
use crate::cli::console::outln;
use crate::domain::agenda::AgendaPlan;
use crate::domain::meeting::{Question, SecretariatDraft};
use crate::domain::triage::DiscussionRequest;
use crate::domain::{AgendaItem, Case, Id, Session, Track, wareki};
use crate::exchange::agenda_doc::{self, AgendaDoc};
use crate::exchange::output;
use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum AgendaCmd {
    /// 議事次第を作成する（一括確認/重点協議の振り分け）。固定した項目と事務局の編集は保たれる
    Build {
        #[arg(long)]
        meeting: Id,
        /// 次回確認日に関わらず議題に加えるケース番号（繰り返し指定可）
        #[arg(long = "add")]
        add: Vec<String>,
    },
    /// 議事次第を表示する（日程ごとの件数・予定終了時刻・理由）
    Show {
        #[arg(long)]
        meeting: Id,
        #[arg(long, value_enum, default_value = "table")]
        format: ListFormat,
    },
    /// 日程に収まらないとき、次回へ回せる確認と足りない日程を示す（--accept で適用）
    Capacity {
        #[arg(long)]
        meeting: Id,
        /// 提案を適用する: 次回へ回す確認を議事次第から外し、次回確認日を次の会議の日にする
        #[arg(long)]
        accept: bool,
        #[arg(long, value_enum, default_value = "table")]
        format: ListFormat,
    },
    /// ケースの振り分けの理由を示す（評価したすべての規則とその結果）
    Explain(ItemRef),
    /// 項目を移す（一括確認/重点協議、日程、順番）。日程・順番を動かした項目は固定される
    Move(MoveArgs),
    /// 項目を固定する（作り直しても日程と順番が変わらない）
    Lock(ItemRef),
    /// 固定を解除する
    Unlock(ItemRef),
    /// 事務局案を書き換える（指定した項目だけ変わる）
    Draft(DraftArgs),
    /// 機関への事前の質問（「この点についてご説明ください」）を加える
    Ask(AskArgs),
    /// 機関からの協議依頼を記録する
    Request(RequestArgs),
    /// 転居・転出予定を記録する（--clear で取り消し）
    Moving(MovingArgs),
    /// 議事次第（全体）を .md / .docx に出力する
    Export(ExportArgs),
    Packets(super::packets::PacketsArgs),
    /// 返送された事前送付資料の事前確認（了承・要協議・修正あり）を取り込む・回答状況を見る
    #[command(subcommand)]
    Replies(super::replies::RepliesCmd),
}

#[derive(Debug, Args)]
pub struct ItemRef {
    #[arg(long)]
    pub meeting: Id,
    /// ケース番号
    #[arg(long)]
    pub case: String,
}

#[derive(Debug, Args)]
pub struct MoveArgs {
    #[command(flatten)]
    pub item: ItemRef,
    /// quick（一括確認）/ deep（重点協議）
    #[arg(long)]
    pub track: Option<String>,
    /// 日程の番号（agenda show の順に 1, 2, …）
    #[arg(long)]
    pub session: Option<usize>,
    /// 日程の中での順番（1 = 先頭）
    #[arg(long)]
    pub position: Option<i64>,
}

#[derive(Debug, Args)]
pub struct DraftArgs {
    #[command(flatten)]
    pub item: ItemRef,
    /// 状況（事務局のまとめ）
    #[arg(long)]
    pub summary: Option<String>,
    /// 援助方針の案
    #[arg(long)]
    pub policy: Option<String>,
    /// ランクの案（空文字で「変更なし」）
    #[arg(long)]
    pub rank: Option<String>,
    /// 次回確認日の案
    #[arg(long)]
    pub next_review: Option<String>,
    /// 終結案の理由（空文字で終結案を取り消し）
    #[arg(long)]
    pub close_reason: Option<String>,
    /// 終結案の終結理由区分（設定の closing.categories のどれか。終結案には必須）
    #[arg(long)]
    pub close_category: Option<String>,
}

#[derive(Debug, Args)]
pub struct AskArgs {
    #[command(flatten)]
    pub item: ItemRef,
    /// 質問する機関（名前またはコード）
    #[arg(long)]
    pub agency: String,
    /// 質問の内容
    #[arg(long)]
    pub text: String,
}

#[derive(Debug, Args)]
pub struct RequestArgs {
    /// ケース番号
    #[arg(long)]
    pub case: String,
    /// 依頼した機関（名前またはコード）
    #[arg(long)]
    pub agency: Option<String>,
    /// 対象の会議ID（省略時: 次の会議）
    #[arg(long)]
    pub meeting: Option<Id>,
    /// 協議してほしい理由
    #[arg(long)]
    pub reason: String,
    /// 依頼を受けた日（既定: 今日）
    #[arg(long)]
    pub on: Option<String>,
}

#[derive(Debug, Args)]
pub struct MovingArgs {
    /// ケース番号
    #[arg(long)]
    pub case: String,
    /// 転居・転出予定日
    #[arg(long, required_unless_present = "clear")]
    pub on: Option<String>,
    #[arg(long, default_value = "")]
    pub note: String,
    /// 予定を取り消す
    #[arg(long)]
    pub clear: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(long)]
    pub meeting: Id,
    /// 出力先（.md または .docx）
    #[arg(long)]
    pub out: PathBuf,
    /// 既存のファイルを上書きする
    #[arg(long)]
    pub force: bool,
}

pub fn run_agenda(ctx: &Ctx, c: AgendaCmd) -> Result<()> {
    match c {
        AgendaCmd::Build { meeting, add } => build(ctx, meeting, &add),
        AgendaCmd::Show { meeting, format } => show_agenda(ctx, meeting, format),
        AgendaCmd::Capacity { meeting, accept, format } => capacity(ctx, meeting, accept, format),
        AgendaCmd::Explain(r) => explain(ctx, r),
        AgendaCmd::Move(a) => move_item(ctx, a),
        AgendaCmd::Lock(r) => lock(ctx, r, true),
        AgendaCmd::Unlock(r) => lock(ctx, r, false),
        AgendaCmd::Draft(a) => draft(ctx, a),
        AgendaCmd::Ask(a) => ask(ctx, a),
        AgendaCmd::Request(a) => request(ctx, a),
        AgendaCmd::Moving(a) => moving(ctx, a),
        AgendaCmd::Export(a) => export(ctx, a),
        AgendaCmd::Packets(a) => super::packets::run(ctx, a),
        AgendaCmd::Replies(c) => super::replies::run(ctx, c),
    }
}

fn case_id(store: &Store, number: &str) -> Result<Id> {
    Ok(store.case_by_number(number)?.ok_or_else(|| eyre!("ケース番号「{number}」は台帳にありません"))?.id)
}

fn item_of(store: &Store, r: &ItemRef) -> Result<AgendaItem> {
    store.meeting(r.meeting)?;
    let id = case_id(store, &r.case)?;
    store.agenda(r.meeting)?.into_iter().find(|i| i.case_id == id).ok_or_else(|| {
        eyre!("ケース「{}」は会議 {} の議題にありません（agenda build --add で加えられます）", r.case, r.meeting)
    })
}

fn build(ctx: &Ctx, meeting: Id, add: &[String]) -> Result<()> {
    let mut store = ctx.open_store()?;
    store.meeting(meeting)?;
    let ids = add.iter().map(|n| case_id(&store, n)).collect::<Result<Vec<_>>>()?;
    if !ids.is_empty() {
        store.write(|t| ids.iter().try_for_each(|id| t.add_case_to_agenda(meeting, *id)))?;
    }
    let plan = store.build_agenda(meeting, ctx.today, &ctx.config)?;
    for s in crate::domain::agenda::shortfalls(&plan) {
        let label = crate::domain::agenda::section_label(&ctx.config, s.section.as_deref());
        outln!("【日程が足りません】{}", s.message(&label));
    }
    let proposal = store.capacity_proposal(meeting, ctx.today, &ctx.config)?;
    for p in &proposal {
        let label = crate::domain::agenda::section_label(&ctx.config, p.section.as_deref());
        outln!("【収まる案】{}", p.message(&label));
        outln!("  {}", p.schedule_line(&label));
        outln!("  {}", p.threshold_line(&label));
    }
    if proposal.iter().any(|p| !p.deferrals.is_empty()) {
        outln!("  （一覧: shinko agenda capacity --meeting {meeting}、適用: --accept）");
    }
    outln!("議事次第を作成しました: 一括確認 {}件・重点協議 {}件", plan.count(Track::Quick), plan.count(Track::Deep));
    for s in &plan.sessions {
        outln!("  {}", session_line(s));
    }
    if !plan.pulled_in.is_empty() {
        outln!("次回確認日の前ですが、前回会議以降の知らせにより加えたケース: {}件", plan.pulled_in.len());
        // The first ones by name; a large town sees the count and `agenda explain` for any case.
        const SHOWN: usize = 20;
        for (case, signals) in plan.pulled_in.iter().take(SHOWN) {
            outln!("  {}: {}", store.case(*case)?.number, signals.join("、"));
        }
        if plan.pulled_in.len() > SHOWN {
            outln!("  ほか {}件（agenda show または agenda explain で確認できます）", plan.pulled_in.len() - SHOWN);
        }
    }
    Ok(())
}

/// The capacity proposal, or accepting it in one step; reviews are named by case number only.
fn capacity(ctx: &Ctx, meeting: Id, accept: bool, format: ListFormat) -> Result<()> {
    let mut store = ctx.open_store()?;
    store.meeting(meeting)?;
    let plans = if accept {
        store.accept_capacity(meeting, ctx.today, &ctx.config)?
    } else {
        store.capacity_proposal(meeting, ctx.today, &ctx.config)?
    };
    if format == ListFormat::Json {
        outln!("{}", serde_json::to_string_pretty(&plans)?);
        return Ok(());
    }
    if plans.is_empty() {
        outln!("どの日程も時間内に収まっています");
        return Ok(());
    }
    for p in &plans {
        let label = crate::domain::agenda::section_label(&ctx.config, p.section.as_deref());
        outln!("{}", p.message(&label));
        outln!("{}", p.schedule_line(&label));
        outln!("{}", p.threshold_line(&label));
        for d in &p.deferrals {
            outln!(
                "  {} ランク{} {} 次回確認日 {} → {} の会議へ",
                d.number,
                d.rank,
                d.track.label(),
                d.review,
                d.to_day
            );
        }
    }
    if accept {
        let n: usize = plans.iter().map(|p| p.deferrals.len()).sum();
        let added: usize = plans.iter().map(|p| p.sessions_added.len()).sum();
        tracing::info!(meeting, moved = n, added, "capacity proposal accepted");
        outln!("{}", crate::domain::capacity::accepted_message(&plans));
    }
    Ok(())
}

/// Every triage rule for one case and what it found; the case is named by its number only.
fn explain(ctx: &Ctx, r: ItemRef) -> Result<()> {
    let store = ctx.open_store()?;
    store.meeting(r.meeting)?;
    let id = case_id(&store, &r.case)?;
    let e = store.explain_case(r.meeting, id, ctx.today, &ctx.config)?;
    outln!("ケース {} の振り分け（会議 {}）", e.case.number, r.meeting);
    let review = e.case.next_review.map(|d| d.to_string()).unwrap_or_else(|| "未設定".into());
    outln!("  次回確認日: {review}（{}）", if e.review_due { "この会議で確認する時期" } else { "まだ先" });
    if e.added {
        outln!("  事務局が議題に追加");
    }
    for (rule, signal, found) in &e.rules {
        let kind = if *signal { "［知らせ］" } else { "" };
        match found.as_slice() {
            [] => outln!("  ・{rule}{kind}: 該当なし"),
            found => outln!("  ✔ {rule}{kind}: {}", found.join("、")),
        }
    }
    let verdict = match (e.case.is_open(), e.due) {
        (false, _) => "終結・移管済みのため議題にしない".to_string(),
        (true, false) => "議題にしない（確認の時期でなく、知らせもない）".to_string(),
        (true, true) => format!("議題にする: {}", e.proposal.track.label()),
    };
    outln!("結論: {verdict}");
    if e.due && !e.on_agenda {
        outln!("  今の議事次第には載っていません（agenda build で反映されます）");
    }
    Ok(())
}

fn session_line(s: &crate::domain::agenda::SessionPlan) -> String {
    let ss = &s.session;
    let over = if s.over_minutes > 0 { format!(" 【{}分超過】", s.over_minutes) } else { String::new() };
    format!(
        "{} {} {}-{}: 一括確認 {}件・重点協議 {}件、予定終了 {}{over}",
        ss.label,
        ss.date,
        ss.start.format("%H:%M"),
        ss.end.format("%H:%M"),
        s.quick,
        s.deep,
        s.end_label()
    )
}

#[derive(Serialize)]
struct ItemView<'a> {
    #[serde(flatten)]
    item: &'a AgendaItem,
    case_number: String,
}

#[derive(Serialize)]
struct SessionView<'a> {
    #[serde(flatten)]
    session: &'a Session,
    quick: usize,
    deep: usize,
    minutes: f64,
    expected_end: String,
    over_minutes: i64,
    action_review: &'a [crate::domain::Action],
    items: Vec<ItemView<'a>>,
}

fn show_agenda(ctx: &Ctx, meeting: Id, format: ListFormat) -> Result<()> {
    let store = ctx.open_store()?;
    store.meeting(meeting)?;
    let plan = store.agenda_plan(meeting, &ctx.config)?;
    let cases: BTreeMap<Id, Case> = store.cases(true)?.into_iter().map(|c| (c.id, c)).collect();
    let number = |id: Id| cases.get(&id).map(|c| c.number.clone()).unwrap_or_default();
    match format {
        ListFormat::Json => {
            fn view<'a>(items: &'a [AgendaItem], number: &dyn Fn(Id) -> String) -> Vec<ItemView<'a>> {
                items.iter().map(|i| ItemView { item: i, case_number: number(i.case_id) }).collect()
            }
            let sessions: Vec<SessionView<'_>> = plan
                .sessions
                .iter()
                .map(|s| SessionView {
                    session: &s.session,
                    quick: s.quick,
                    deep: s.deep,
                    minutes: s.minutes,
                    expected_end: s.end_label(),
                    over_minutes: s.over_minutes,
                    action_review: &s.action_review,
                    items: view(&s.items, &number),
                })
                .collect();
            let out = serde_json::json!({
                "meeting_id": meeting,
                "quick": plan.count(Track::Quick),
                "deep": plan.count(Track::Deep),
                "sessions": sessions,
                "unassigned": view(&plan.unassigned, &number),
            });
            outln!("{}", serde_json::to_string_pretty(&out)?);
        }
        ListFormat::Table => print_plan(&plan, &cases),
    }
    Ok(())
}

fn print_plan(plan: &AgendaPlan, cases: &BTreeMap<Id, Case>) {
    outln!("一括確認 {}件・重点協議 {}件", plan.count(Track::Quick), plan.count(Track::Deep));
    let item = |n: usize, i: &AgendaItem| {
        let c = cases.get(&i.case_id);
        let lock = if i.locked { " [固定]" } else { "" };
        outln!(
            "  {:>3}. [{}] {} {}{lock}",
            n,
            i.track.label(),
            c.map(|c| c.number.as_str()).unwrap_or(""),
            c.map(|c| c.name.as_str()).unwrap_or("")
        );
        for r in &i.reasons {
            outln!("         ・{r}");
        }
        if !i.draft.policy.is_empty() {
            outln!("         事務局案: {}", i.draft.policy);
        }
    };
    for (n, s) in plan.sessions.iter().enumerate() {
        outln!("\n日程{} {}", n + 1, session_line(s));
        if !s.action_review.is_empty() {
            outln!("  前回の役割分担の確認: {}件", s.action_review.len());
        }
        for (k, i) in s.items.iter().enumerate() {
            item(k + 1, i);
        }
    }
    if !plan.unassigned.is_empty() {
        outln!("\n日程未定");
        for (k, i) in plan.unassigned.iter().enumerate() {
            item(k + 1, i);
        }
    }
}

fn move_item(ctx: &Ctx, a: MoveArgs) -> Result<()> {
    if a.track.is_none() && a.session.is_none() && a.position.is_none() {
        bail!("--track、--session、--position のいずれかを指定してください");
    }
    let track = match a.track.as_deref() {
        None => None,
        Some(t) => Some(
            Track::from_code(t)
                .or_else(|| [Track::Quick, Track::Deep].into_iter().find(|x| x.label() == t))
                .ok_or_else(|| eyre!("--track「{t}」は不明です（quick / deep）"))?,
        ),
    };
    let mut store = ctx.open_store()?;
    let it = item_of(&store, &a.item)?;
    let sessions = store.sessions(a.item.meeting)?;
    let session = match a.session {
        None => None,
        Some(n) => Some(
            sessions
                .get(n.wrapping_sub(1))
                .ok_or_else(|| eyre!("--session {n}: この会議の日程は 1〜{} です", sessions.len()))?
                .id,
        ),
    };
    if a.position.is_some_and(|p| p < 1) {
        bail!("--position は 1 以上で指定してください");
    }
    store.write(|t| {
        if let Some(tr) = track {
            t.set_item_track(it.id, tr)?;
        }
        if let Some(s) = session {
            t.set_item_session(it.id, s)?;
        }
        if let Some(p) = a.position {
            t.reorder_item(it.id, p - 1)?;
        }
        Ok(())
    })?;
    outln!("ケース {} の議題を移しました", a.item.case);
    Ok(())
}

fn lock(ctx: &Ctx, r: ItemRef, locked: bool) -> Result<()> {
    let mut store = ctx.open_store()?;
    let it = item_of(&store, &r)?;
    store.write(|t| t.set_item_locked(it.id, locked))?;
    outln!("ケース {} の議題を{}しました", r.case, if locked { "固定" } else { "固定解除" });
    Ok(())
}

fn draft(ctx: &Ctx, a: DraftArgs) -> Result<()> {
    let mut store = ctx.open_store()?;
    let it = item_of(&store, &a.item)?;
    let mut d: SecretariatDraft = it.draft.clone();
    if let Some(s) = a.summary {
        d.summary = s;
    }
    if let Some(p) = a.policy {
        d.policy = p;
    }
    if let Some(r) = a.rank {
        d.rank = if r.is_empty() {
            None
        } else {
            let case = store.case(it.case_id)?;
            if ctx.config.rank_scheme(case.registration).get(&r).is_none() {
                bail!("--rank「{r}」は設定のランクにありません");
            }
            Some(r)
        };
    }
    if let Some(n) = a.next_review {
        d.next_review =
            if n.is_empty() { None } else { Some(wareki::parse_date(&n).map_err(|e| eyre!("--next-review: {e}"))?) };
    }
    if let Some(c) = a.close_reason {
        d.close_reason = if c.is_empty() { None } else { Some(c) };
    }
    if let Some(k) = a.close_category {
        d.close_category = k.trim().to_string();
    }
    if !d.closes() {
        d.close_category.clear();
    }
    d.check_closing(&ctx.config.closing.categories).map_err(|e| eyre!("--close-category: {e}"))?;
    store.write(|t| t.set_item_draft(it.id, &d, Some(&it.draft)))?;
    outln!("ケース {} の事務局案を更新しました", a.item.case);
    Ok(())
}

fn ask(ctx: &Ctx, a: AskArgs) -> Result<()> {
    let mut store = ctx.open_store()?;
    let it = item_of(&store, &a.item)?;
    let agency_id = find_agency(&store, &a.agency)?;
    store.write(|t| t.add_question(it.id, &Question { agency_id, text: a.text.clone() }))?;
    outln!("ケース {} に {} への質問を加えました", a.item.case, a.agency);
    Ok(())
}

fn request(ctx: &Ctx, a: RequestArgs) -> Result<()> {
    let mut store = ctx.open_store()?;
    let case_id = case_id(&store, &a.case)?;
    let agency_id = a.agency.as_deref().map(|n| find_agency(&store, n)).transpose()?;
    if let Some(m) = a.meeting {
        store.meeting(m)?;
    }
    let requested_on = match &a.on {
        Some(s) => wareki::parse_date(s).map_err(|e| eyre!("--on: {e}"))?,
        None => ctx.today,
    };
    let id = store.write(|t| {
        t.add_discussion_request(&DiscussionRequest {
            id: 0,
            case_id,
            agency_id,
            meeting_id: a.meeting,
            reason: a.reason.clone(),
            requested_on,
        })
    })?;
    outln!("協議依頼 {id} を記録しました（ケース {}）。議事次第を作り直すと重点協議に入ります", a.case);
    Ok(())
}

fn moving(ctx: &Ctx, a: MovingArgs) -> Result<()> {
    let mut store = ctx.open_store()?;
    let case_id = case_id(&store, &a.case)?;
    let on = match (&a.on, a.clear) {
        (_, true) => None,
        (Some(s), false) => Some(wareki::parse_date(s).map_err(|e| eyre!("--on: {e}"))?),
        (None, false) => bail!("--on（転居・転出予定日）を指定してください"),
    };
    store.write(|t| t.set_planned_move(case_id, on, &a.note))?;
    match on {
        Some(d) => outln!("ケース {} の転居・転出予定（{d}）を記録しました", a.case),
        None => outln!("ケース {} の転居・転出予定を取り消しました", a.case),
    }
    Ok(())
}

fn export(ctx: &Ctx, a: ExportArgs) -> Result<()> {
    let ext = a.out.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    if !matches!(ext.as_deref(), Some("md" | "docx")) {
        bail!("--out {}: 拡張子は .md または .docx にしてください", a.out.display());
    }
    output::check_free(&a.out, a.force)?;
    let store = ctx.open_store()?;
    let meeting = store.meeting(a.meeting)?;
    let plan = store.agenda_plan(a.meeting, &ctx.config)?;
    if plan.items().next().is_none() {
        bail!(
            "会議 {} の議事次第がまだありません。先に shinko agenda build --meeting {} を実行してください",
            a.meeting,
            a.meeting
        );
    }
    let cases: BTreeMap<Id, Case> = store.cases(true)?.into_iter().map(|c| (c.id, c)).collect();
    let agencies: BTreeMap<Id, String> = store.agencies()?.into_iter().map(|a| (a.id, a.name)).collect();
    let doc = AgendaDoc {
        meeting: &meeting,
        plan: &plan,
        cases: &cases,
        agencies: &agencies,
        notice: &ctx.config.confidentiality.notice,
        date_style: ctx.config.output.date_style,
    };
    let bytes = match ext.as_deref() {
        Some("docx") => agenda_doc::docx(&doc).map_err(|e| eyre!(e))?,
        _ => agenda_doc::markdown(&doc).into_bytes(),
    };
    output::write_file(&a.out, &bytes, a.force)?;
    outln!("議事次第を {} に出力しました", a.out.display());
    Ok(())
}
