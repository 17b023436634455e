//! Shared by the integration tests: a small hand-made agenda for the demo's next meeting, so
//! packets and the preparation screen can be tested whatever the agenda builder decides.

#![allow(dead_code)]

pub mod tmux;

use shinko::domain::meeting::{Question, SecretariatDraft};
use shinko::domain::{AgendaItem, Id, ItemState, Track};
use shinko::store::Store;

/// Puts the first `n` open cases (by number) on `meeting`'s agenda: every third deep, the rest
/// quick with a 事務局案; a question to the case's 所属 on every fourth; households kept as one
/// block in one session.
pub fn hand_agenda(store: &mut Store, meeting: Id, n: usize) -> Vec<AgendaItem> {
    let sessions = store.sessions(meeting).unwrap();
    let mut cases = store.cases(false).unwrap();
    cases.truncate(n);
    store
        .write(|t| {
            for (i, c) in cases.iter().enumerate() {
                let block = c.household_id.unwrap_or(c.id);
                let first_of_block = cases.iter().position(|x| x.household_id.unwrap_or(x.id) == block).unwrap_or(i);
                let deep = first_of_block % 3 == 0;
                let mut questions = Vec::new();
                if let (true, Some(a)) = (i % 4 == 0, c.affiliation) {
                    questions.push(Question { agency_id: a, text: format!("最近の登校状況（{}）", c.number) });
                }
                t.save_agenda_item(&AgendaItem {
                    id: 0,
                    meeting_id: meeting,
                    session_id: sessions.get(first_of_block % sessions.len().max(1)).map(|s| s.id),
                    case_id: c.id,
                    block,
                    position: i as i64,
                    track: if deep { Track::Deep } else { Track::Quick },
                    reasons: vec![if deep { "安全尺度が低下" } else { "状況安定・方針明確" }.into()],
                    draft: if deep {
                        SecretariatDraft::default()
                    } else {
                        SecretariatDraft {
                            summary: "登校・登園は安定している。".into(),
                            policy: "現状維持・見守り継続".into(),
                            rank: None,
                            next_review: c.next_review,
                            close_reason: None,
                        }
                    },
                    questions,
                    locked: false,
                    state: ItemState::Pending,
                    elapsed_secs: 0,
                })?;
            }
            Ok(())
        })
        .unwrap();
    store.agenda(meeting).unwrap()
}
