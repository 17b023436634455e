//! `shinko record ...` on the real binary: a whole meeting scripted from the command line —
//! start, attendance, the review of last meeting's actions, a quick item accepted, a deep item
//! decided in Japanese, a bad value refused without change, a second instance refused, close —
//! and the ledger read back with `shinko ledger show --format json`.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::path::Path;

use common::shinko as run;
use shinko::domain::{ActionStatus, ItemState, Track};
use shinko::store::Store;

fn ok(dir: &Path, db: &Path, args: &[&str]) -> String {
    let out = run(dir, db, args);
    assert!(out.status.success(), "shinko {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn fails(dir: &Path, db: &Path, args: &[&str]) -> String {
    let out = run(dir, db, args);
    assert!(!out.status.success(), "shinko {args:?} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).expect("valid json")
}

#[test]
fn a_meeting_recorded_from_the_command_line_lands_in_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    ok(dir.path(), &db, &["demo", "--no-tui"]);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let (meeting, items, agency, action) = {
        let s = Store::open(&db, None).unwrap();
        let m = s.meeting_to_run(today).unwrap().expect("the demo plans a next meeting");
        let agency = s.agency(s.meeting_agencies(m).unwrap()[0]).unwrap();
        let action = s.open_actions().unwrap().into_iter().find(|a| a.meeting_id != Some(m)).expect("open action");
        (m, s.agenda(m).unwrap(), agency, action)
    };
    let number = |case_id| Store::open(&db, None).unwrap().case(case_id).unwrap().number;
    let quick = number(items.iter().find(|i| i.track == Track::Quick).unwrap().case_id);
    let deep = number(items.iter().find(|i| i.track == Track::Deep).unwrap().case_id);
    let later = number(items.iter().rev().find(|i| i.track == Track::Quick).unwrap().case_id);
    let m = meeting.to_string();

    let err = fails(dir.path(), &db, &["record", "accept", "--meeting", &m, "--case", &quick]);
    assert!(err.contains("まだ開始していません"), "{err}");
    let out = ok(dir.path(), &db, &["record", "start", "--meeting", &m]);
    assert!(out.contains("を開始しました"), "{out}");

    let out = ok(
        dir.path(),
        &db,
        &[
            "record",
            "attend",
            "--meeting",
            &m,
            "--agency",
            &agency.name,
            "--status",
            "情報提供",
            "--received",
            "R8.11.20",
        ],
    );
    assert!(out.contains("欠席（情報提供あり）"), "{out}");
    let err =
        fails(dir.path(), &db, &["record", "attend", "--meeting", &m, "--agency", &agency.code, "--status", "遅刻"]);
    assert!(err.contains("「遅刻」は出席・欠席・情報提供・オブザーバーのどれでもありません"), "{err}");

    let a = action.id.to_string();
    // 実施日: not after today (SHINKO_TODAY), only with 実施済; wareki or ISO.
    let review = |status: &'static str, on: &str| {
        ["record", "review-action", "--meeting", &m, "--action", &a, "--status", status, "--done-on", on]
            .map(str::to_string)
    };
    let args = review("実施済", "R8.11.25");
    let err = fails(dir.path(), &db, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(err.contains("実施日") && err.contains("今日"), "{err}");
    let args = review("未実施", "R8.11.20");
    let err = fails(dir.path(), &db, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(err.contains("実施済"), "{err}");
    let agreed = {
        let s = Store::open(&db, None).unwrap();
        s.sessions(action.meeting_id.unwrap()).unwrap().iter().map(|x| x.date).min().unwrap()
    };
    let args = review("実施済", &agreed.pred_opt().unwrap().to_string());
    let err = fails(dir.path(), &db, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(err.contains("会議"), "{err}");
    assert_eq!(Store::open(&db, None).unwrap().action(action.id).unwrap(), action, "refused: nothing written");
    let args = review("実施済", &agreed.to_string());
    ok(dir.path(), &db, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(Store::open(&db, None).unwrap().action(action.id).unwrap().done_on, Some(agreed));
    let args =
        ["record", "review-action", "--meeting", &m, "--action", &a, "--status", "実施不可", "--note", "転居のため"];
    ok(dir.path(), &db, &args);

    let out = ok(dir.path(), &db, &["record", "accept", "--meeting", &m, "--case", &quick]);
    assert!(out.contains("事務局案どおり承認しました"), "{out}");

    // A bad rank is refused, naming the field; nothing is recorded.
    let bad = ["record", "decide", "--meeting", &m, "--case", &deep, "--rank", "Z"];
    let err = fails(dir.path(), &db, &bad);
    assert!(err.contains(&format!("ケース {deep}: 評価（ランク）: 「Z」は")), "{err}");
    let bad = ["record", "decide", "--meeting", &m, "--case", &deep, "--action", "小学校／担任"];
    let err = fails(dir.path(), &db, &bad);
    assert!(err.contains("役割分担 1行目"), "{err}");

    let out = ok(
        dir.path(),
        &db,
        &[
            "record",
            "decide",
            "--meeting",
            &m,
            "--case",
            &deep,
            "--summary",
            "欠席が続き、家庭訪問でも会えていない",
            "--rank",
            "A",
            "--kind",
            "児相へ送致・協議",
            "--policy",
            "児相と一時保護の要否を協議する",
            "--action",
            "こども家庭センター／家庭相談員／週1回の家庭訪問／2026/12/15",
            "--action",
            "児童相談所／児童福祉司／一時保護の要否の判断／令和8年12月10日",
        ],
    );
    assert!(out.contains("役割分担 2 件"), "{out}");
    ok(dir.path(), &db, &["record", "defer", "--meeting", &m, "--case", &later]);

    let st = json(&ok(dir.path(), &db, &["record", "status", "--meeting", &m, "--format", "json"]));
    assert_eq!(st["done"], 2);
    assert_eq!(st["deferred"], 1);
    assert_eq!(st["attendance"], 1);
    let table = ok(dir.path(), &db, &["record", "status", "--meeting", &m]);
    assert!(table.contains("開催中") && table.contains(&deep), "{table}");
    assert!(table.contains("重点協議") && !table.contains("\tdeep\t"), "the table speaks Japanese: {table}");

    // While another live shinko runs the meeting on screen (it holds the lease, and with it
    // the lease lock, for as long as it is open), commands are refused.
    let mut screen = Store::open(&db, None).unwrap();
    screen.acquire_lease(meeting, 1).unwrap();
    let err = fails(dir.path(), &db, &["record", "close", "--meeting", &m]);
    assert!(err.contains("別の shinko（PID 1）で進行中"), "{err}");
    screen.release_lease(meeting, 1).unwrap();
    drop(screen);

    let out = ok(dir.path(), &db, &["record", "close", "--meeting", &m]);
    assert!(out.contains("台帳に反映 2 件"), "{out}");
    let err = fails(dir.path(), &db, &["record", "accept", "--meeting", &m, "--case", &quick]);
    assert!(err.contains("既に終了しています"), "{err}");

    // The ledger holds the decisions.
    let shown = json(&ok(dir.path(), &db, &["ledger", "show", &deep, "--format", "json"]));
    assert_eq!(shown["case"]["rank"], "A");
    assert_eq!(shown["case"]["support_policy"], "児相と一時保護の要否を協議する");
    let last = shown["case"]["last_review"].as_str().expect("reviewed in the meeting");
    assert!(last > "2026-11-24" && shown["case"]["next_review"].as_str() > Some(last), "{shown}");
    let acts = shown["actions"].as_array().unwrap();
    assert!(acts.iter().any(|a| a["what"] == "一時保護の要否の判断" && a["due"] == "2026-12-10"), "{acts:?}");
    let s = Store::open(&db, None).unwrap();
    let reviewed = s.action(action.id).unwrap();
    assert_eq!((reviewed.status, reviewed.review_note.as_str()), (ActionStatus::NotPossible, "転居のため"));
    assert_eq!(reviewed.reviewed_in, Some(meeting));
    assert_eq!(reviewed.done_on, None, "found not possible after all: no 実施日");
    assert!(s.agenda(meeting).unwrap().iter().all(|i| i.state != ItemState::Pending));
    assert!(s.audit_verify().unwrap().is_ok());
}

/// `record accept` of a quick item whose 終結案 has no configured 終結理由区分 (here: the
/// category was removed from the configuration after the draft was written) is refused in
/// Japanese and records nothing; the item can still be decided with a category.
#[test]
fn accepting_a_closing_without_a_configured_category_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    ok(dir.path(), &db, &["demo", "--no-tui"]);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let (meeting, item, number) = {
        let s = Store::open(&db, None).unwrap();
        let m = s.meeting_to_run(today).unwrap().unwrap();
        let item = s.agenda(m).unwrap().into_iter().find(|i| i.track == Track::Quick).unwrap();
        let number = s.case(item.case_id).unwrap().number;
        (m, item, number)
    };
    let m = meeting.to_string();
    let draft = ["agenda", "draft", "--meeting", &m, "--case", &number];
    ok(dir.path(), &db, &[&draft[..], &["--close-reason", "市外へ転居", "--close-category", "転出"]].concat());
    ok(dir.path(), &db, &["record", "start", "--meeting", &m]);
    let config = dir.path().join("狭い設定.toml");
    std::fs::write(&config, "[closing]\ncategories = [\"状態の安定\", \"その他\"]\n").unwrap();
    let accept = ["record", "accept", "--meeting", &m, "--case", &number];
    let err = fails(dir.path(), &db, &[&accept[..], &["--config", config.to_str().unwrap()]].concat());
    assert!(err.contains("事務局案: 終結案の終結理由区分「転出」は設定にありません"), "{err}");
    let s = Store::open(&db, None).unwrap();
    assert_eq!(s.agenda_item(item.id).unwrap().state, ItemState::Pending, "nothing recorded");
    assert!(s.decisions(meeting).unwrap().iter().all(|d| d.agenda_item_id != Some(item.id)));
    drop(s);
    let out = ok(dir.path(), &db, &accept);
    assert!(out.contains("事務局案どおり承認しました（終結"), "{out}");
}
