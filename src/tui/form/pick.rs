//! Type-ahead over the registered agencies in a form field (主担当機関, 新主担当機関, and the
//! first column of each 役割分担 line): what fits is listed under the field as you type, so a
//! short form (東小) is seen to mean 東小学校 and a new name is seen to be new before saving.
//! The rule of what fits is `domain::agency` (the one the store applies on saving).

use ratatui::crossterm::event::{KeyCode, KeyEvent};
use tui_input::Input;

use super::{Field, FieldValue, Form};
use crate::domain::Agency;
use crate::domain::agency::{AgencyMatch, agency_candidates, match_agency};
use crate::tui::keymap::Command;

/// The most candidates listed under a field.
pub const SHOWN: usize = 5;

#[derive(Debug, Clone)]
pub struct Pick {
    all: Vec<Agency>,
    /// The candidate chosen with Down (none until the user moves into the list).
    pub chosen: Option<usize>,
}

/// What the list under the field says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Offer {
    /// Nothing typed, or exactly a registered name.
    Nothing,
    /// The registered agencies that fit, best first (at most [`SHOWN`]), and the one chosen.
    Candidates { names: Vec<String>, chosen: Option<usize>, resolved: bool },
    /// No registered agency fits: saving will ask before registering a new one.
    New,
}

impl<K> Field<K> {
    /// Offers the registered `agencies` as this field is typed in.
    pub fn picking_agencies(mut self, agencies: &[Agency]) -> Field<K> {
        self.pick = Some(Pick { all: agencies.to_vec(), chosen: None });
        self
    }

    /// The agency name being typed: the whole text, or in a multi-line field the current line's
    /// first column (before ／) while the cursor is in it.
    fn typed_agency(&self) -> Option<(String, usize)> {
        match &self.value {
            FieldValue::Text(i) => Some((i.value().to_string(), 0)),
            FieldValue::Multi(t) => {
                let ratatui_textarea::DataCursor(row, col) = t.cursor();
                let line = t.lines().get(row)?;
                let first = line.split(['／', '/']).next().unwrap_or("");
                (col <= first.chars().count()).then(|| (first.to_string(), row))
            }
            FieldValue::Choice { .. } => None,
        }
    }

    pub fn offer(&self) -> Offer {
        let (Some(pick), Some((typed, _))) = (&self.pick, self.typed_agency()) else { return Offer::Nothing };
        if typed.trim().is_empty() || pick.all.iter().any(|a| a.name == typed.trim()) {
            return Offer::Nothing;
        }
        let names: Vec<String> =
            agency_candidates(&typed, &pick.all).into_iter().take(SHOWN).map(|a| a.name.clone()).collect();
        if names.is_empty() {
            return Offer::New;
        }
        let resolved = matches!(match_agency(&typed, &pick.all), AgencyMatch::One(_));
        Offer::Candidates { names, chosen: pick.chosen, resolved }
    }

    /// Puts `name` in place of what was typed as the agency.
    fn put_agency(&mut self, name: &str) {
        match &mut self.value {
            FieldValue::Text(_) => self.value = FieldValue::Text(Input::new(name.to_string())),
            FieldValue::Multi(t) => {
                let row = t.cursor().0;
                let mut lines = t.lines().to_vec();
                let line = &lines[row];
                let rest = line.find(['／', '/']).map_or("", |at| &line[at..]).to_string();
                lines[row] = format!("{name}{rest}");
                let placeholder = t.placeholder_text().to_string();
                let mut a = super::area(&lines.join("\n"), &placeholder);
                a.move_cursor(ratatui_textarea::CursorMove::Jump(row as u16, name.chars().count() as u16));
                **t = a;
            }
            FieldValue::Choice { .. } => {}
        }
    }
}

impl<K: Copy + PartialEq> Form<K> {
    /// The list's keys, before the form's own: Down/Up move through the candidates of a one-line
    /// field, Tab/Enter then take the chosen one; in 役割分担, typing ／ after a name that means
    /// one agency writes its registered name. True when the key was the list's.
    pub(super) fn pick_key(&mut self, action: Option<Command>, k: KeyEvent) -> bool {
        let field = &mut self.fields[self.focus];
        let Offer::Candidates { names, resolved, .. } = field.offer() else {
            if let Some(p) = &mut field.pick {
                p.chosen = None;
            }
            return false;
        };
        let multi = field.is_multiline();
        let Some(pick) = field.pick.as_mut() else { return false };
        match (k.code, multi) {
            (KeyCode::Down, false) => {
                pick.chosen = Some(pick.chosen.map_or(0, |i| (i + 1).min(names.len() - 1)));
                true
            }
            (KeyCode::Up, false) if pick.chosen.is_some() => {
                pick.chosen = pick.chosen.and_then(|i| i.checked_sub(1));
                true
            }
            (_, false) if matches!(action, Some(Command::NextField)) => {
                if let Some(i) = pick.chosen.take() {
                    field.put_agency(&names[i]);
                }
                false
            }
            (KeyCode::Char(c @ ('／' | '/')), true) if resolved => {
                let at_end = field.typed_agency().is_some_and(|(typed, _)| !typed.is_empty())
                    && matches!(&field.value, FieldValue::Multi(t) if !t.lines()[t.cursor().0].contains(['／', '/']));
                if at_end {
                    field.put_agency(&names[0]);
                    if let FieldValue::Multi(t) = &mut field.value {
                        t.move_cursor(ratatui_textarea::CursorMove::End);
                        t.insert_char(c);
                    }
                    return true;
                }
                false
            }
            _ => {
                pick.chosen = None;
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use ratatui::crossterm::event::KeyModifiers;

    use super::*;
    use crate::domain::AgencyKind;
    use crate::tui::form::FormReply;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum K {
        Lead,
        Roles,
    }

    fn agencies() -> Vec<Agency> {
        ["東小学校", "東中学校", "保健センター（母子保健）"]
            .iter()
            .enumerate()
            .map(|(i, n)| Agency {
                id: i as i64 + 1,
                code: format!("A{i}"),
                name: n.to_string(),
                kind: AgencyKind::guess_from_name(n),
                contact: String::new(),
            })
            .collect()
    }

    fn form() -> Form<K> {
        let all = agencies();
        Form::new(
            "試し",
            vec![
                Field::text(K::Lead, "主担当機関", false, "").picking_agencies(&all),
                Field::multi(K::Roles, "役割分担", "", "").picking_agencies(&all),
            ],
        )
    }

    fn press(f: &mut Form<K>, code: KeyCode, action: Option<Command>) -> FormReply<K> {
        f.on_key(action, KeyEvent::new(code, KeyModifiers::NONE))
    }

    fn type_in(f: &mut Form<K>, text: &str) {
        for c in text.chars() {
            press(f, KeyCode::Char(c), None);
        }
    }

    #[test]
    fn a_short_form_lists_what_it_means_and_down_then_tab_takes_one() {
        let mut f = form();
        type_in(&mut f, "東");
        let offer = f.focused().offer();
        assert_eq!(
            offer,
            Offer::Candidates {
                names: vec!["東小学校".into(), "東中学校".into()], chosen: None, resolved: false
            }
        );
        press(&mut f, KeyCode::Down, Some(Command::NextField));
        press(&mut f, KeyCode::Down, Some(Command::NextField));
        assert_eq!(f.focus, 0, "Down moves in the list, not to the next field");
        press(&mut f, KeyCode::Tab, Some(Command::NextField));
        assert_eq!((f.get(K::Lead).as_str(), f.focus), ("東中学校", 1));
    }

    #[test]
    fn tab_without_choosing_keeps_what_was_typed() {
        let mut f = form();
        type_in(&mut f, "東小");
        assert!(matches!(f.focused().offer(), Offer::Candidates { resolved: true, .. }));
        press(&mut f, KeyCode::Tab, Some(Command::NextField));
        assert_eq!(f.get(K::Lead), "東小", "the store resolves it on saving; nothing is replaced unasked");
    }

    #[test]
    fn a_name_that_fits_nothing_is_offered_as_new() {
        let mut f = form();
        type_in(&mut f, "北警察署");
        assert_eq!(f.focused().offer(), Offer::New);
        let mut g = form();
        type_in(&mut g, "東小学校");
        assert_eq!(g.focused().offer(), Offer::Nothing, "a registered name needs no list");
    }

    #[test]
    fn in_roles_the_separator_writes_the_registered_name() {
        let mut f = form();
        press(&mut f, KeyCode::Tab, Some(Command::NextField));
        type_in(&mut f, "保健セ／");
        type_in(&mut f, "訪問");
        assert_eq!(f.get(K::Roles), "保健センター（母子保健）／訪問");
        // Several fit: what was typed stays (saving names the candidates).
        press(&mut f, KeyCode::Enter, None);
        type_in(&mut f, "東／見守り");
        assert_eq!(f.get(K::Roles), "保健センター（母子保健）／訪問\n東／見守り");
    }
}
