//! Pre-send packets: one per institution, holding only its own children.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::collections::BTreeSet;
use std::io::{Cursor, Read};

use calamine::{Reader, Xlsx};
use chrono::NaiveDate;
use shinko::demo::{self, Scale};
use shinko::domain::{Config, Track};
use shinko::exchange::packets::{self, ASK};
use shinko::store::Store;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

/// The demo (its next meeting's agenda built) with questions to some institutions.
fn demo_with_agenda() -> (Store, i64) {
    let mut store = Store::open_in_memory().unwrap();
    let sum = demo::generate(&mut store, Scale::Takahama, 2024, today()).unwrap();
    common::ask_institutions(&mut store, sum.next_meeting);
    (store, sum.next_meeting)
}

/// The text of one part of a .docx (tags removed, so runs join up).
fn docx_part(bytes: &[u8], part: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    zip.by_name(part).unwrap().read_to_string(&mut xml).unwrap();
    let mut text = String::new();
    let mut in_tag = false;
    for c in xml.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

fn xlsx_cells(bytes: &[u8]) -> Vec<String> {
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).unwrap();
    let range = wb.worksheet_range("事前送付資料").unwrap();
    range.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect()
}

#[test]
fn each_packet_holds_only_its_institutions_children() {
    let (store, meeting) = demo_with_agenda();
    let config = Config::default();
    let all_cases = store.cases(true).unwrap();
    let list = packets::gather(&store, meeting, &Config::default()).unwrap();
    assert!(list.len() >= 5, "schools, nurseries, 児相 and 教育委員会 each get one: {}", list.len());
    for p in &list {
        let mine: BTreeSet<i64> =
            p.cases.iter().map(|c| c.case.id).chain(p.actions.iter().map(|a| a.case.id)).collect();
        assert!(!mine.is_empty());
        // Involvement is checked against the store, not against the packet's own claim: a case
        // it is linked to, or one whose action it owns.
        assert!(p.actions.iter().all(|a| a.action.agency_id == Some(p.agency.id)));
        let owned_actions = store.open_actions().unwrap().into_iter().filter(|a| a.agency_id == Some(p.agency.id));
        let involved: BTreeSet<i64> =
            store.cases_of_agency(p.agency.id).unwrap().into_iter().chain(owned_actions.map(|a| a.case_id)).collect();
        assert!(mine.is_subset(&involved), "{} holds a case it is not involved in", p.agency.code);
        let docx = packets::to_docx(p, &config).unwrap();
        let text = docx_part(&docx, "word/document.xml");
        let cells = xlsx_cells(&packets::to_xlsx(p, &config).unwrap()).join("\n");
        let my_names: BTreeSet<&str> = p.cases.iter().map(|c| c.case.name.as_str()).collect();
        for c in &p.cases {
            assert!(text.contains(&c.case.number) && text.contains(&c.case.name), "{} missing", c.case.number);
            assert!(cells.contains(&c.case.number) && cells.contains(&c.case.name));
        }
        for other in all_cases.iter().filter(|c| !mine.contains(&c.id)) {
            for (what, body) in [("docx", &text), ("xlsx", &cells)] {
                assert!(
                    !body.contains(&other.number),
                    "{} packet ({what}) names case {} of another institution",
                    p.agency.code,
                    other.number
                );
                if !my_names.contains(other.name.as_str()) {
                    assert!(!body.contains(&other.name), "{} packet ({what}) names another child", p.agency.code);
                }
            }
        }
    }
}

#[test]
fn drafts_for_quick_items_questions_for_the_institution_and_the_notice_on_every_page() {
    let (store, meeting) = demo_with_agenda();
    let config = Config::default();
    let list = packets::gather(&store, meeting, &Config::default()).unwrap();
    let p = list
        .iter()
        .find(|p| p.cases.iter().any(|c| !c.questions_for(p.agency.id).is_empty()))
        .expect("some institution is asked a question");
    let text = docx_part(&packets::to_docx(p, &config).unwrap(), "word/document.xml");
    assert!(text.contains("当日ご説明をお願いしたい事項") && text.contains(ASK), "{text}");
    assert!(text.contains(&p.meeting.title) && text.contains(&p.meeting.place));
    for s in &p.sessions {
        assert!(text.contains(&s.label), "session {} listed", s.label);
    }
    for c in p.cases.iter().filter(|c| c.item.track == Track::Quick && !c.item.draft.policy.is_empty()) {
        let first_line = c.item.draft.policy.lines().next().unwrap();
        assert!(text.contains(first_line), "the 事務局案 of quick items");
    }
    // A question to another institution on a shared case is not shown.
    for c in &p.cases {
        for q in c.item.questions.iter().filter(|q| q.agency_id != p.agency.id) {
            assert!(!text.contains(&q.text));
        }
    }
    let docx = packets::to_docx(p, &config).unwrap();
    let notice = &config.confidentiality.notice;
    assert!(docx_part(&docx, "word/header1.xml").contains(notice.as_str()));
    assert!(docx_part(&docx, "word/footer1.xml").contains(notice.as_str()));
    let xlsx = packets::to_xlsx(p, &config).unwrap();
    let mut zip = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
    let mut sheet = String::new();
    zip.by_name("xl/worksheets/sheet1.xml").unwrap().read_to_string(&mut sheet).unwrap();
    assert!(sheet.contains("<oddHeader>") && sheet.contains("<oddFooter>") && sheet.contains("【取扱注意】"));
}

#[test]
fn written_owner_only_never_over_existing_files_and_not_without_an_agenda() {
    let (store, meeting) = demo_with_agenda();
    let config = Config::default();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("事前送付");
    let files = packets::write_packets(&store, meeting, &out, false, &config).unwrap();
    assert!(files.len() >= 4 && files.len().is_multiple_of(2));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for f in &files {
            assert_eq!(std::fs::metadata(f).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }
    let err = packets::write_packets(&store, meeting, &out, false, &config).unwrap_err();
    assert!(err.to_string().contains("--force"), "{err}");
    assert_eq!(packets::write_packets(&store, meeting, &out, true, &config).unwrap().len(), files.len());

    let mut empty = Store::open_in_memory().unwrap();
    let sum = demo::generate(&mut empty, Scale::Takahama, 2024, today()).unwrap();
    empty.write(|t| t.delete_agenda(sum.next_meeting)).unwrap();
    let err = packets::write_packets(&empty, sum.next_meeting, &dir.path().join("x"), false, &config).unwrap_err();
    assert!(err.to_string().contains("議事次第がありません"), "{err}");
    assert!(!dir.path().join("x").exists(), "nothing written");
}

#[test]
fn the_command_line_writes_the_packets() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let run = |args: &[&str]| {
        assert_cmd::Command::cargo_bin("shinko")
            .unwrap()
            .arg("--db")
            .arg(&db)
            .args(args)
            .env("SHINKO_TODAY", "2026-11-24")
            .env("XDG_DATA_HOME", dir.path())
            .env("XDG_CONFIG_HOME", dir.path())
            .assert()
    };
    run(&["demo", "--no-tui"]).success();
    let meeting = {
        let mut store = Store::open(&db, None).unwrap();
        let m = store.meetings().unwrap().into_iter().find(|m| m.status == shinko::domain::MeetingStatus::Planned);
        let id = m.unwrap().id;
        common::ask_institutions(&mut store, id);
        id
    };
    let out = dir.path().join("packets");
    let a = run(&["agenda", "packets", "--meeting", &meeting.to_string(), "--out", out.to_str().unwrap()]).success();
    let listed = String::from_utf8_lossy(&a.get_output().stdout).lines().count();
    assert_eq!(listed, std::fs::read_dir(&out).unwrap().count());
    let stderr = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(stderr.contains("事前送付資料"), "{stderr}");
    run(&["agenda", "packets", "--meeting", "9999", "--out", out.to_str().unwrap()]).failure();

    // A question to an institution the case has nothing to do with is not sent, and said so.
    let (case, stranger) = {
        let mut store = Store::open(&db, None).unwrap();
        let item = store.agenda(meeting).unwrap().into_iter().next().unwrap();
        let c = store.case(item.case_id).unwrap();
        let linked: Vec<i64> = store.case_agencies(c.id).unwrap().into_iter().map(|(a, _)| a).collect();
        let stranger = store
            .agencies()
            .unwrap()
            .into_iter()
            .find(|a| {
                a.kind.is_institution()
                    && Some(a.id) != c.affiliation
                    && Some(a.id) != c.lead_agency
                    && !linked.contains(&a.id)
            })
            .unwrap();
        let q = shinko::domain::meeting::Question { agency_id: stranger.id, text: "様子".into() };
        store.write(|t| t.add_question(item.id, &q)).unwrap();
        (c.number, stranger)
    };
    let again = dir.path().join("again");
    let a = run(&["agenda", "packets", "--meeting", &meeting.to_string(), "--out", again.to_str().unwrap()]).success();
    let stderr = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(stderr.contains(&format!("ケース {case} の「{}」への質問", stranger.name)), "{stderr}");
}

/// The actions an institution must report on are in its packet, with the session where they
/// are reviewed: a school's in a session schools attend.
#[test]
fn each_packet_lists_the_actions_its_institution_reports_on() {
    let (store, meeting) = demo_with_agenda();
    let config = Config::default();
    let list = packets::gather(&store, meeting, &config).unwrap();
    let with: Vec<_> = list.iter().filter(|p| !p.actions.is_empty()).collect();
    assert!(!with.is_empty(), "the demo has open actions from the last meeting");
    let schools = config.sections.iter().find(|s| s.schools_attend).map(|s| s.code.clone());
    for p in with {
        let text = docx_part(&packets::to_docx(p, &config).unwrap(), "word/document.xml");
        let cells = xlsx_cells(&packets::to_xlsx(p, &config).unwrap()).join("\n");
        assert!(text.contains("前回の役割分担（当日、実施状況をご報告ください）"), "{text}");
        for a in &p.actions {
            assert!(text.contains(&a.action.what) && cells.contains(&format!("前回の役割分担「{}」", a.action.what)));
            let session = a.session.as_ref().expect("a session");
            assert!(p.sessions.contains(session));
            if p.agency.kind.is_school() {
                assert_eq!(session.section, schools, "{} reports where schools attend", p.agency.code);
            }
        }
    }
}
