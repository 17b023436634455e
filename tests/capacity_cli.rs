//! Capacity: when the sessions cannot hold the agenda, `agenda capacity` proposes which
//! stable reviews wait for the next meeting (never a case with news, never half a household)
//! and how many sessions the rest still needs; `--accept` applies it in one audited step.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::collections::BTreeSet;

use common::Demo;
use shinko::store::Store;

/// The demo with a slow 一括確認 (15 minutes each), so its sessions overflow.
fn overfull() -> (Demo, Vec<String>) {
    let demo = Demo::new();
    let cfg = demo.path("config.toml");
    std::fs::write(&cfg, "[budget]\nquick_minutes = 15.0\n").unwrap();
    let with = vec!["--config".to_string(), cfg.to_str().unwrap().to_string()];
    (demo, with)
}

fn run(demo: &Demo, with: &[String], args: &[&str]) -> String {
    let all: Vec<&str> = with.iter().map(String::as_str).chain(args.iter().copied()).collect();
    demo.ok(&all)
}

#[test]
fn stable_reviews_move_to_the_next_meeting_in_one_audited_step() {
    let (demo, with) = overfull();
    let out = run(&demo, &with, &["agenda", "capacity", "--meeting", "2"]);
    assert!(out.contains("次の会議が未登録のため、次回へ回す案はありません"), "{out}");

    run(&demo, &with, &["meeting", "new", "--title", "第4回", "--session", "2026-12-22 13:30-17:00 school"]);
    let out = run(&demo, &with, &["agenda", "capacity", "--meeting", "2"]);
    assert!(out.contains("後の会議へ回せる確認"), "{out}");
    let listed: Vec<String> = out
        .lines()
        .filter(|l| l.ends_with("→ 2026-12-22 の会議へ"))
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .collect();
    assert!(!listed.is_empty(), "{out}");

    assert!(out.contains("ランクの確認間隔どおりに回すには月"), "{out}");
    assert!(out.contains("重点協議の目安（"), "{out}");
    // Never a case with news since the last meeting, never an A, never half a household.
    let (signalled, blocks) = {
        let store = Store::open(&demo.db(), None).unwrap();
        let cfg = shinko::domain::Config::default();
        let signalled: BTreeSet<String> = store
            .agenda(2)
            .unwrap()
            .iter()
            .filter(|i| {
                let e = store.explain_case(2, i.case_id, common_today(), &cfg).unwrap();
                e.rules.iter().any(|(_, signal, found)| *signal && !found.is_empty())
            })
            .map(|i| store.case(i.case_id).unwrap().number)
            .collect();
        let items = store.agenda(2).unwrap();
        let number = |id| store.case(id).unwrap().number;
        let blocks: Vec<Vec<String>> = items
            .iter()
            .map(|i| items.iter().filter(|x| x.block == i.block).map(|x| number(x.case_id)).collect())
            .collect();
        (signalled, blocks)
    };
    for n in &listed {
        assert!(!signalled.contains(n), "{n} has news and must not wait");
    }
    for b in blocks.iter().filter(|b| b.iter().any(|n| listed.contains(n))) {
        assert!(b.iter().all(|n| listed.contains(n)), "a household moves together: {b:?}");
    }

    let out = run(&demo, &with, &["agenda", "capacity", "--meeting", "2", "--accept"]);
    assert!(out.contains(&format!("{}件の確認を後の会議へ回し", listed.len())), "{out}");
    let store = Store::open(&demo.db(), None).unwrap();
    let on_agenda: BTreeSet<String> =
        store.agenda(2).unwrap().iter().map(|i| store.case(i.case_id).unwrap().number).collect();
    for n in &listed {
        assert!(!on_agenda.contains(n), "{n} left this agenda");
        let c = store.case_by_number(n).unwrap().unwrap();
        assert_eq!(c.next_review.unwrap().to_string(), "2026-12-22", "{n} is reviewed at the next meeting");
    }
    drop(store);
    let audit = demo.ok(&["audit", "verify"]);
    assert!(audit.contains("正常"), "{audit}");
    // Rebuilding does not bring them back.
    run(&demo, &with, &["agenda", "build", "--meeting", "2"]);
    let store = Store::open(&demo.db(), None).unwrap();
    let again: BTreeSet<String> =
        store.agenda(2).unwrap().iter().map(|i| store.case(i.case_id).unwrap().number).collect();
    assert!(listed.iter().all(|n| !again.contains(n)));
}

fn common_today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

/// 府中市 meets monthly and reviews on a rolling basis: the demo registers the two meetings
/// after the next one, and the proposal spreads the reviews that can wait over both, within
/// their intervals and the time they have left, says what narrowing triage would save, and
/// once accepted (with the sessions it says are missing) every session ends within its time;
/// the audit chain stays sound.
#[test]
fn fuchu_spreads_reviews_over_its_monthly_meetings() {
    let mut store = Store::open_in_memory().unwrap();
    let cfg = shinko::domain::Config::default();
    let sum = shinko::demo::generate(&mut store, shinko::demo::Scale::Fuchu, 2024, common_today()).unwrap();
    let titles: Vec<String> = store.meetings().unwrap().iter().map(|m| m.title.clone()).collect();
    for n in ["第3回", "第4回", "第5回"] {
        assert!(titles.iter().any(|t| t.contains(n)), "{titles:?}");
    }
    let before = store.agenda_plan(sum.next_meeting, &cfg).unwrap();
    let plans = store.capacity_proposal(sum.next_meeting, common_today(), &cfg).unwrap();
    assert_eq!(plans.len(), 2, "both 部会 run over");
    for p in &plans {
        assert_eq!(p.spread.len(), 2, "to both later meetings: {:?}", p.spread);
        assert!(p.deferrals.iter().any(|d| d.track == shinko::domain::Track::Deep), "deep reviews move too");
        assert!(p.sessions_per_month_needed > 0 && p.deep_per_month > 0);
        assert!(p.deep_per_month_rank_only > 0, "rank alone sends some: the line says how many");
        assert!(p.threshold_line("部会").contains("triage.deep_ranks から外す"), "{}", p.threshold_line("部会"));
    }
    let accepted = store.accept_capacity(sum.next_meeting, common_today(), &cfg).unwrap();
    let added: usize = accepted.iter().map(|p| p.sessions_added.len()).sum();
    assert!(added > 0, "the sessions still missing are added");
    let after = store.agenda_plan(sum.next_meeting, &cfg).unwrap();
    assert_eq!(after.sessions.len(), before.sessions.len() + added);
    assert!(shinko::domain::agenda::shortfalls(&after).is_empty(), "every session ends within its time");
    let days: BTreeSet<_> = after.sessions.iter().map(|s| s.session.date).collect();
    assert!(days.iter().all(|d| *d < chrono::NaiveDate::from_ymd_opt(2027, 1, 8).unwrap()), "before the next meeting");
    assert!(store.audit_verify().unwrap().is_ok());
}
