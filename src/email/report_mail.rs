//! The email a reporter gets when their report is closed. It carries the outcome and the
//! sentence the moderator chose for them; it never names the person or the content reported
//! (an email can be read by someone else), only the kind of thing and when it was reported.

use super::Mail;
use super::templates::SIGNOFF;

/// A report closed: `outcome` is `actioned` or `no_action`; `message` is the moderator's
/// sentence for the reporter; `what` is `a message`, `a member` or `a room`; `reported_on` is
/// a date in words.
pub fn report_closed(
    to: &str,
    display_name: &str,
    public_url: &str,
    what: &str,
    reported_on: &str,
    outcome: &str,
    message: &str,
) -> Mail {
    let decided = if outcome == "actioned" {
        "A moderator has reviewed it and taken action."
    } else {
        "A moderator has reviewed it and decided that no action is needed this time."
    };
    let text = format!(
        "Hello {display_name},\n\nThank you for reporting {what} on {reported_on}. {decided}\n\nThe moderator's note for you:\n\n  {message}\n\nThe person you reported is never told who reported them. You can see your reports at any time: {public_url}/reports\n\n{SIGNOFF}\n"
    );
    Mail {
        kind: "report_closed",
        to: to.to_string(),
        subject: "Your Kindred report has been reviewed".into(),
        text,
        html: None,
    }
}
