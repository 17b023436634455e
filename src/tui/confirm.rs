//! "Press again to confirm", one way on every screen (after gitui's ConfirmAction →
//! ConfirmedAction): the first press arms what would happen and the screen says what that is;
//! the same key pressed next confirms it; any other key in between disarms it.

/// What can wait for a second press.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmable {
    /// Esc on a form with typed changes: a second Esc discards them.
    DiscardForm,
    /// F12: close the meeting and write its decisions into the ledger.
    CloseMeeting,
    /// Rebuild the agenda (locked items stay).
    RebuildAgenda,
    /// Move the reviews the capacity proposal lists to the next meeting.
    AcceptCapacity,
    /// F6: move the deep items that no longer fit to later sessions.
    Replan,
    /// Leaving the app while this window runs a meeting.
    Quit,
    /// Saving a form again after the store asked for a yes (a new agency).
    SaveAgain,
}

/// The one armed action of a screen, if any.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Confirm {
    armed: Option<Confirmable>,
}

impl Confirm {
    /// Called once for every key: disarms, and tells whether this key confirms `what`, i.e.
    /// the key before armed it.
    pub fn confirms(&mut self, what: Confirmable) -> bool {
        self.armed.take() == Some(what)
    }

    /// Called once for every key on a screen that arms more than one action: disarms, and
    /// tells which action this key may confirm.
    pub fn take(&mut self) -> Option<Confirmable> {
        self.armed.take()
    }

    /// Waits for the same key again.
    pub fn arm(&mut self, what: Confirmable) {
        self.armed = Some(what);
    }

    /// Forgets an armed action (the screen it belongs to was left).
    pub fn clear(&mut self) {
        self.armed = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_same_key_next_confirms() {
        let mut c = Confirm::default();
        assert!(!c.confirms(Confirmable::CloseMeeting), "nothing armed");
        c.arm(Confirmable::CloseMeeting);
        assert!(c.confirms(Confirmable::CloseMeeting));
        assert!(!c.confirms(Confirmable::CloseMeeting), "used up");
        c.arm(Confirmable::RebuildAgenda);
        assert!(!c.confirms(Confirmable::CloseMeeting), "another action disarms");
        assert!(!c.confirms(Confirmable::RebuildAgenda), "and the armed one is gone");
    }
}
