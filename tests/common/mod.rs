//! Shared by the integration tests: questions to institutions on the demo's agenda, and the
//! tmux driver for the journeys.

#![allow(dead_code)]

pub mod tmux;

use shinko::domain::meeting::Question;
use shinko::domain::{AgendaItem, Id};
use shinko::store::Store;

/// Adds a question to the 所属 of every fourth case on `meeting`'s agenda (the demo builds
/// the agenda; the questions are the secretariat's own) and returns the agenda.
pub fn ask_institutions(store: &mut Store, meeting: Id) -> Vec<AgendaItem> {
    let items = store.agenda(meeting).unwrap();
    assert!(!items.is_empty(), "the demo builds the next meeting's agenda");
    let mut asks = Vec::new();
    for (n, i) in items.iter().enumerate().filter(|(n, _)| n % 4 == 0) {
        let c = store.case(i.case_id).unwrap();
        if let Some(a) = c.affiliation {
            asks.push((i.id, Question { agency_id: a, text: format!("最近の登校・登園の様子（{n}）") }));
        }
    }
    store.write(|t| asks.iter().try_for_each(|(id, q)| t.add_question(*id, q))).unwrap();
    store.agenda(meeting).unwrap()
}
