//! The record forms from the ledger: a contact (経過記録) and a birth (出生), each opened in
//! one key, typed, saved through the store and shown; refused where the store refuses.

use ratatui::crossterm::event::KeyCode;

use super::ledger::{BirthField, ContactField, RecordForm};
use super::model::Model;
use super::tests::{buffer_text, demo_at, draw, key, pump, today, typ};
use crate::domain::contact::ContactKind;
use crate::domain::{CaseStatus, Registration};

fn contact_form(m: &mut Model) -> &mut crate::tui::form::Form<ContactField> {
    match m.ledger.record.as_mut() {
        Some(RecordForm::Contact(f)) => &mut f.form,
        other => panic!("a contact form is open: {other:?}"),
    }
}

fn record_error(m: &Model) -> Option<String> {
    m.ledger.record.as_ref().and_then(|f| f.error().map(str::to_string))
}

#[test]
fn a_contact_is_added_from_the_case_detail_in_a_few_keys() {
    let (mut s, mut m) = demo_at(100, 30);
    let case_id = m.ledger.selected_id().unwrap();
    pump(&mut s, &mut m, key(KeyCode::Enter));
    pump(&mut s, &mut m, key(KeyCode::F(8)));
    contact_form(&mut m);
    insta::assert_snapshot!("contact_form_100x30", buffer_text(draw(&m).backend().buffer()));
    // 種別 → 面接, 目視確認 → はい, a Japanese note; F10 saves.
    pump(&mut s, &mut m, key(KeyCode::Tab));
    pump(&mut s, &mut m, key(KeyCode::Right));
    pump(&mut s, &mut m, key(KeyCode::Tab));
    pump(&mut s, &mut m, key(KeyCode::Tab));
    pump(&mut s, &mut m, key(KeyCode::Right));
    pump(&mut s, &mut m, key(KeyCode::Tab));
    typ(&mut s, &mut m, "母子と面談。表情は明るい");
    pump(&mut s, &mut m, key(KeyCode::F(10)));
    assert!(m.ledger.record.is_none(), "saved: {:?}", record_error(&m));
    let got = s.contacts_of_case(case_id).unwrap();
    let first = &got[0];
    assert_eq!((first.date, first.kind, first.seen), (today(), ContactKind::Interview, true));
    assert_eq!(first.note, "母子と面談。表情は明るい");
    let text = buffer_text(draw(&m).backend().buffer());
    assert!(text.contains("経過記録を追加しました"), "{text}");
    assert!(text.contains("R8.11.24 面接"), "the detail lists it: {text}");
}

#[test]
fn a_future_date_is_refused_and_the_form_stays_open() {
    let (mut s, mut m) = demo_at(100, 30);
    let case_id = m.ledger.selected_id().unwrap();
    let before = s.contacts_of_case(case_id).unwrap().len();
    pump(&mut s, &mut m, key(KeyCode::Char('c')));
    contact_form(&mut m).set_text(ContactField::Date, "2026-12-01");
    pump(&mut s, &mut m, key(KeyCode::F(10)));
    let error = record_error(&m).expect("refused in the form");
    assert!(error.contains("今日（2026-11-24）より後"), "{error}");
    assert_eq!(s.contacts_of_case(case_id).unwrap().len(), before, "nothing stored");
}

#[test]
fn an_unregistered_agency_is_refused_not_registered() {
    let (mut s, mut m) = demo_at(100, 30);
    let agencies = s.agencies().unwrap().len();
    pump(&mut s, &mut m, key(KeyCode::Char('c')));
    contact_form(&mut m).set_text(ContactField::Agency, "架空の相談所");
    pump(&mut s, &mut m, key(KeyCode::F(10)));
    pump(&mut s, &mut m, key(KeyCode::F(10)));
    let error = record_error(&m).expect("refused in the form");
    assert!(error.contains("登録されていません"), "{error}");
    assert_eq!(s.agencies().unwrap().len(), agencies, "a second F10 does not register it");
}

/// Selects the first open 特定妊婦 case of the demo.
fn select_expectant(s: &mut crate::store::Store, m: &mut Model) -> crate::domain::Id {
    let at = m.ledger.visible.iter().position(|&i| {
        let r = &m.ledger.rows[i];
        r.registration == Registration::ExpectantMother && r.status == CaseStatus::Open
    });
    let at = at.expect("the demo has an expectant mother");
    for _ in 0..at {
        pump(s, m, key(KeyCode::Down));
    }
    m.ledger.selected_id().unwrap()
}

#[test]
fn a_birth_is_recorded_from_the_mothers_case() {
    let (mut s, mut m) = demo_at(100, 30);
    let mother = select_expectant(&mut s, &mut m);
    let cases = s.case_count(true).unwrap();
    pump(&mut s, &mut m, key(KeyCode::F(12)));
    assert!(matches!(m.ledger.record, Some(RecordForm::Birth(_))), "F12 opens the birth form");
    insta::assert_snapshot!("birth_form_100x30", buffer_text(draw(&m).backend().buffer()));
    let form = match m.ledger.record.as_mut() {
        Some(RecordForm::Birth(f)) => &mut f.form,
        _ => unreachable!(),
    };
    form.set_text(BirthField::Name(0), "試験 花子");
    form.set_text(BirthField::Kana(0), "しけん はなこ");
    // Saving without choosing the mother's registration is refused in the form.
    pump(&mut s, &mut m, key(KeyCode::F(10)));
    assert_eq!(record_error(&m).as_deref(), Some("母の登録: 継続か終結を選んでください"));
    // 母の登録 is the last field: Shift+Tab from the first reaches it; → chooses 継続.
    if let Some(RecordForm::Birth(f)) = m.ledger.record.as_mut() {
        f.form.focus = 0;
    }
    pump(&mut s, &mut m, key(KeyCode::BackTab));
    pump(&mut s, &mut m, key(KeyCode::Right));
    pump(&mut s, &mut m, key(KeyCode::F(10)));
    assert!(m.ledger.record.is_none(), "saved: {:?}", record_error(&m));
    assert_eq!(s.case_count(true).unwrap(), cases + 1);
    assert_eq!(s.case(mother).unwrap().status, CaseStatus::Open, "継続 chosen");
    let text = buffer_text(draw(&m).backend().buffer());
    assert!(text.contains("の出生を記録しました。新生児のケース:"), "{text}");
    assert!(text.contains("試験 花子"), "the newborn's case is selected: {text}");
}

#[test]
fn a_birth_form_opens_only_on_an_expectant_mothers_case() {
    let (mut s, mut m) = demo_at(100, 30);
    assert_ne!(m.ledger.selected_row().unwrap().registration, Registration::ExpectantMother);
    pump(&mut s, &mut m, key(KeyCode::Char('b')));
    assert!(m.ledger.record.is_none());
    let text = buffer_text(draw(&m).backend().buffer());
    assert!(text.contains("特定妊婦の継続中のケースではありません"), "{text}");
}
