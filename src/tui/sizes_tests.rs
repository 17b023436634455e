//! Every screen, and the help, drawn at the sizes people use: 80x24 (a small terminal window),
//! 100x30 (a projector) and 160x45 (a laptop full screen), as insta snapshots named
//! `<screen>_<w>x<h>`. Each is reached by the keys a user presses, from the demo's ledger.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::model::Model;
use super::msg::Msg;
use super::tests::{demo_at, key, pump, screen, typ};
use crate::domain::{ItemState, Track};
use crate::store::Store;

const SIZES: [(u16, u16); 3] = [(80, 24), (100, 30), (160, 45)];

fn alt(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT))
}

/// The meeting started, attendance and review passed: on the first agenda item.
fn to_agenda(s: &mut Store, m: &mut Model) {
    pump(s, m, alt('3'));
    pump(s, m, key(KeyCode::Enter));
    pump(s, m, key(KeyCode::Tab));
    pump(s, m, key(KeyCode::Tab));
}

/// The keys that reach a screen state from the ledger.
type Reach = fn(&mut Store, &mut Model);

/// Each screen state and the keys that reach it.
const STATES: [(&str, Reach); 15] = [
    ("ledger", |_, _| {}),
    ("ledger_detail", |s, m| {
        pump(s, m, key(KeyCode::Down));
        pump(s, m, key(KeyCode::Enter));
    }),
    ("ledger_register_form", |s, m| {
        pump(s, m, key(KeyCode::F(2)));
        typ(s, m, "R8-9001");
    }),
    ("ledger_urgent_report_form", |s, m| {
        pump(s, m, key(KeyCode::Down));
        pump(s, m, key(KeyCode::Enter));
        pump(s, m, key(KeyCode::F(8)));
        pump(s, m, key(KeyCode::Tab));
        typ(s, m, "R8.11.13");
    }),
    ("help_ledger", |s, m| {
        pump(s, m, key(KeyCode::F(1)));
    }),
    ("prep", |s, m| {
        pump(s, m, alt('2'));
    }),
    ("meeting_start", |s, m| {
        pump(s, m, alt('3'));
    }),
    ("meeting_attendance", |s, m| {
        pump(s, m, alt('3'));
        pump(s, m, key(KeyCode::Enter));
        pump(s, m, key(KeyCode::Right));
    }),
    ("meeting_reviews", |s, m| {
        pump(s, m, alt('3'));
        pump(s, m, key(KeyCode::Enter));
        pump(s, m, key(KeyCode::Tab));
    }),
    ("meeting_agenda", to_agenda),
    ("meeting_deep_form", |s, m| {
        to_agenda(s, m);
        let deep_pending = |m: &Model| {
            m.meeting.current().is_some_and(|iv| iv.item.track == Track::Deep && iv.item.state == ItemState::Pending)
        };
        while !deep_pending(m) {
            pump(s, m, key(KeyCode::Down));
        }
        pump(s, m, key(KeyCode::Char('e')));
    }),
    ("help_meeting", |s, m| {
        to_agenda(s, m);
        pump(s, m, key(KeyCode::F(1)));
    }),
    ("stats", |s, m| {
        pump(s, m, alt('4'));
    }),
    ("ledger_detail_presenting", |s, m| {
        pump(s, m, alt('p'));
        pump(s, m, key(KeyCode::Down));
        pump(s, m, key(KeyCode::Enter));
    }),
    ("prep_presenting", |s, m| {
        pump(s, m, alt('p'));
        pump(s, m, alt('2'));
    }),
];

#[test]
fn every_screen_at_every_size() {
    for (w, h) in SIZES {
        for (name, reach) in STATES {
            let (mut s, mut m) = demo_at(w, h);
            reach(&mut s, &mut m);
            let text = screen(&m);
            // The footer always shows how to open the help.
            let footer: String = text.lines().rev().take(2).collect();
            assert!(footer.contains("F1 ヘルプ"), "{name} {w}x{h}: {footer}");
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), text);
        }
    }
}
