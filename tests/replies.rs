//! 事前確認 round trip: institutions return their packet's Excel file with 了承 / 要協議 /
//! 修正あり, and `agenda replies import` reads it back — or refuses it, all or nothing, with
//! every problem named by file, row and column.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::Demo;
use shinko::domain::{MeetingStatus, Track};
use shinko::store::Store;

/// A packet as the institution's clerk sees it in Excel: every cell as text, by position.
struct Filled {
    cells: Vec<Vec<String>>,
}

impl Filled {
    fn open(path: &Path) -> Filled {
        let mut wb: Xlsx<_> = open_workbook(path).unwrap();
        let range = wb.worksheet_range("事前送付資料").unwrap();
        let (r0, c0) = range.start().unwrap();
        let mut cells = vec![vec![String::new(); (c0 as usize) + range.width()]; (r0 as usize) + range.height()];
        for (r, row) in range.rows().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let text = match v {
                    Data::Empty => String::new(),
                    Data::DateTime(d) => d.as_datetime().map(|d| d.date().to_string()).unwrap_or_default(),
                    v => v.to_string(),
                };
                cells[r0 as usize + r][c0 as usize + c] = text;
            }
        }
        Filled { cells }
    }

    fn column(&self, header: &str) -> usize {
        self.cells.iter().find_map(|r| r.iter().position(|c| c.starts_with(header))).unwrap()
    }

    fn row_of(&self, number: &str) -> usize {
        self.row_of_opt(number).unwrap()
    }

    fn row_of_opt(&self, number: &str) -> Option<usize> {
        let col = self.column("ケース番号");
        self.cells.iter().position(|r| r.get(col).is_some_and(|c| c == number))
    }

    /// The 一括確認 rows' case numbers, in order.
    fn quick_numbers(&self) -> Vec<String> {
        let (kind, number) = (self.column("区分"), self.column("ケース番号"));
        self.cells.iter().filter(|r| r[kind] == "一括確認").map(|r| r[number].clone()).collect()
    }

    fn label(&mut self, label: &str, value: &str) {
        let row = self.cells.iter().position(|r| r[0] == label).unwrap();
        self.cells[row][1] = value.into();
    }

    fn answer(&mut self, number: &str, answer: &str, comment: &str) -> &mut Self {
        let (row, a, c) = (self.row_of(number), self.column("事前確認"), self.column("ご意見・修正"));
        self.cells[row][a] = answer.into();
        self.cells[row][c] = comment.into();
        self
    }

    fn set(&mut self, number: &str, header: &str, value: &str) -> &mut Self {
        let (row, col) = (self.row_of(number), self.column(header));
        self.cells[row][col] = value.into();
        self
    }

    fn save(&self, path: &Path) {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("事前送付資料").unwrap();
        for (r, row) in self.cells.iter().enumerate() {
            for (c, v) in row.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
                ws.write_string(r as u32, c as u16, v).unwrap();
            }
        }
        wb.save(path).unwrap();
    }
}

fn planned_meeting(db: &Path) -> i64 {
    let store = Store::open(db, None).unwrap();
    store.meetings().unwrap().into_iter().find(|m| m.status == MeetingStatus::Planned).unwrap().id
}

/// The demo with its packets written; the packet (.xlsx) of the institution coded `code`.
fn demo_with_packets() -> (Demo, i64, impl Fn(&str) -> PathBuf) {
    let demo = Demo::new();
    let meeting = planned_meeting(&demo.db());
    let out = demo.path("packets");
    demo.ok(&["agenda", "packets", "--meeting", &meeting.to_string(), "--out", out.to_str().unwrap()]);
    let packet = move |code: &str| {
        std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| {
                let n = p.file_name().unwrap().to_string_lossy().to_string();
                n.starts_with(&format!("事前送付資料_{code}_")) && n.ends_with(".xlsx")
            })
            .unwrap()
    };
    (demo, meeting, packet)
}

fn track_of(db: &Path, meeting: i64, number: &str) -> (Track, Vec<String>) {
    let store = Store::open(db, None).unwrap();
    let case = store.case_by_number(number).unwrap().unwrap();
    let it = store.agenda(meeting).unwrap().into_iter().find(|i| i.case_id == case.id).unwrap();
    (it.track, it.reasons)
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn each_answer_comes_back_and_a_discussion_request_moves_the_item_to_deep() {
    let (demo, meeting, packet) = demo_with_packets();
    let m = meeting.to_string();
    let mut f = Filled::open(&packet("CGC"));
    let quick = f.quick_numbers();
    assert!(quick.len() >= 3, "児相 is sent several 一括確認 items: {quick:?}");
    f.label("記入者", "児童福祉司 佐藤");
    f.label("記入日", "2026-11-24");
    f.answer(&quick[0], "要協議", "一時保護の解除後の様子を確認したい");
    f.answer(&quick[1], "修正あり", "次回確認を1月に早めてください");
    f.answer(&quick[2], "了承", "");
    let returned = demo.path("返送_児相.xlsx");
    f.save(&returned);

    let status = demo.ok(&["agenda", "replies", "status", "--meeting", &m]);
    assert!(status.contains("本町小学校\t未回答"), "the demo's schools have not replied yet: {status}");
    let o = demo.run(&["agenda", "replies", "import", returned.to_str().unwrap()]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("返送_児相.xlsx: 中央児童相談所 回答 3 件"), "{err}");
    assert!(err.contains("要協議により重点協議へ移した議題 1 件"), "{err}");

    let (track, reasons) = track_of(&demo.db(), meeting, &quick[0]);
    assert_eq!(track, Track::Deep);
    assert_eq!(reasons[0], "中央児童相談所から要協議（事前確認）: 一時保護の解除後の様子を確認したい");
    assert_eq!(track_of(&demo.db(), meeting, &quick[1]).0, Track::Quick, "修正あり keeps the quick track");
    let status = demo.ok(&["agenda", "replies", "status", "--meeting", &m]);
    assert!(status.contains("中央児童相談所\t回答 "), "{status}");
    assert!(status.contains("要協議 1・修正あり 1"), "{status}");

    // Rebuilding the agenda keeps the reply and its consequence.
    demo.ok(&["agenda", "build", "--meeting", &m]);
    let (track, reasons) = track_of(&demo.db(), meeting, &quick[0]);
    assert_eq!(track, Track::Deep);
    assert!(reasons.iter().any(|r| r.contains("から要協議（事前確認）")), "{reasons:?}");
    let explain = demo.ok(&["agenda", "explain", "--meeting", &m, "--case", &quick[0]]);
    assert!(explain.contains("事前確認で要協議の回答"), "{explain}");
    let audit = demo.ok(&["audit", "verify"]);
    assert!(audit.contains("正常"), "{audit}");

    // An older copy sent again does not replace the later reply.
    f.label("記入日", "2026-11-18");
    f.answer(&quick[1], "了承", "");
    let old = demo.path("古い返送.xlsx");
    f.save(&old);
    let err = stderr(&demo.run(&["agenda", "replies", "import", old.to_str().unwrap()]));
    assert!(err.contains("後に記入された回答が登録済みのため使わなかった回答 3 件"), "{err}");
    let status = demo.ok(&["agenda", "replies", "status", "--meeting", &m]);
    assert!(status.contains("修正あり 1"), "{status}");
}

#[test]
fn two_versions_in_one_run_the_later_written_wins_and_says_so() {
    let (demo, _, packet) = demo_with_packets();
    let mut f = Filled::open(&packet("CGC"));
    let first = f.quick_numbers()[0].clone();
    f.label("記入日", "2026-11-24");
    f.answer(&first, "要協議", "");
    let later = demo.path("訂正版.xlsx");
    f.save(&later);
    f.label("記入日", "2026-11-23");
    f.answer(&first, "了承", "");
    let earlier = demo.path("最初の版.xlsx");
    f.save(&earlier);
    let o = demo.run(&["agenda", "replies", "import", later.to_str().unwrap(), earlier.to_str().unwrap()]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("最初の版.xlsx: 中央児童相談所 使いません（訂正版.xlsx の方が後に記入されています）"),
        "{err}"
    );
    assert!(err.contains("回答 1 件"), "{err}");
}

#[test]
fn every_mistake_in_every_file_is_named_and_nothing_is_stored() {
    let (demo, meeting, packet) = demo_with_packets();
    let mut f = Filled::open(&packet("CGC"));
    let quick = f.quick_numbers();
    // A case number of a child in another institution's packet only.
    let stranger = {
        let store = Store::open(&demo.db(), None).unwrap();
        let all: Vec<String> = store
            .agenda(meeting)
            .unwrap()
            .iter()
            .map(|i| store.case(i.case_id).unwrap().number)
            .filter(|n| f.row_of_opt(n).is_none())
            .collect();
        all[0].clone()
    };
    f.answer(&quick[1], "修正あり", "");
    f.set(&quick[2], "氏名", "別人 花子").answer(&quick[2], "了承", "");
    f.set(&quick[0], "ケース番号", &stranger);
    f.answer(&stranger, "了承", "");
    let bad = demo.path("児相_誤り.xlsx");
    f.save(&bad);

    let mut g = Filled::open(&packet("BOE"));
    g.label("会議番号", "1");
    let boe_first = g.quick_numbers()[0].clone();
    g.answer(&boe_first, "OK", "");
    let other_meeting = demo.path("教委_別の会議.xlsx");
    g.save(&other_meeting);
    let mut h = Filled::open(&packet("BOE"));
    h.label("機関コード", "ZZ99");
    let unknown = demo.path("教委_コード誤り.xlsx");
    h.save(&unknown);
    let plain = demo.path("関係ない表.csv");
    std::fs::write(&plain, "ケース番号,氏名\nR8-00001,山田\n").unwrap();

    let before = demo.ok(&["agenda", "replies", "status", "--meeting", &meeting.to_string()]);
    let args = ["agenda", "replies", "import", "--meeting", &meeting.to_string()];
    let files = [&bad, &other_meeting, &unknown, &plain].map(|p| p.to_str().unwrap().to_string());
    let o = demo.run(&[&args[..], &files.iter().map(String::as_str).collect::<Vec<_>>()[..]].concat());
    assert!(!o.status.success());
    let err = stderr(&o);
    for expected in [
        "何も取り込んでいません",
        "「事前確認（了承・要協議・修正あり）」列: 「OK」は選択肢にありません",
        "修正ありの場合は「ご意見・修正」欄に修正の内容を書いてください",
        "「氏名」列: 氏名が台帳のケース",
        &format!("ケース番号 {stranger} は、この機関に送付した会議 {meeting} の議題にありません"),
        &format!("教委_別の会議.xlsx: この回答は会議 1 のものです（--meeting {meeting} を指定しています）"),
        "教委_コード誤り.xlsx: 機関コード「ZZ99」は登録されていません",
        "関係ない表.csv",
    ] {
        assert!(err.contains(expected), "missing 「{expected}」 in:\n{err}");
    }
    assert!(!err.contains("別人"), "no name as written is echoed: {err}");
    let after = demo.ok(&["agenda", "replies", "status", "--meeting", &meeting.to_string()]);
    assert_eq!(before, after, "nothing stored");
}

#[test]
fn a_started_meeting_takes_no_replies() {
    let (demo, meeting, packet) = demo_with_packets();
    let mut f = Filled::open(&packet("CGC"));
    let first = f.quick_numbers()[0].clone();
    f.answer(&first, "了承", "");
    let returned = demo.path("返送.xlsx");
    f.save(&returned);
    {
        let mut store = Store::open(&demo.db(), None).unwrap();
        store.start_meeting(meeting).unwrap();
    }
    let o = demo.run(&["agenda", "replies", "import", returned.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("始まっているため、事前確認の回答は取り込めません"), "{}", stderr(&o));
}
