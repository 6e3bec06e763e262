/// A form field the page could not read (a date of 31 February, an amount of "十块"): the page is shown again with this
/// message and what was typed. Every form's route uses it, so the page shows it the same way.
struct FormInvalid: Error {
    let message: String
}
