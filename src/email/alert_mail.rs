//! The alert desk's emails (`moderation::alerts`): an alert nobody acknowledged in time,
//! escalated to the on-call list, and a volunteer's escalation for the moderators. Like the
//! crisis alert email they hold no message text, no reason, no member name and no condition:
//! how urgent, how late, which level, and where to look.

use super::Mail;
use super::templates::SIGNOFF;

/// Escalation `level` of an alert `seconds_overdue` past its response target.
pub fn escalation(
    to: &str,
    public_url: &str,
    alert_id: &str,
    severity: &str,
    kind: &str,
    level: i32,
    seconds_overdue: i64,
) -> Mail {
    let what = if kind == "volunteer_escalation" {
        "A volunteer asked a moderator to look at their room"
    } else if severity == "red" {
        "A message in a Kindred room may mean someone is at risk right now (red alert)"
    } else {
        "A message in a Kindred room may show someone is struggling (amber alert)"
    };
    let late = match seconds_overdue {
        s if s < 60 => "now".to_string(),
        s if s < 3600 => format!("{} minutes ago", s / 60),
        s => format!("{} hours ago", s / 3600),
    };
    let link = format!("{public_url}/moderation/alerts/{alert_id}");
    let text = format!(
        "{what}, and no moderator has acknowledged it. Its response target passed {late}.\n\nThis is escalation {level}. Please open the alert and acknowledge it, or make sure someone has it in hand: {link}\n\nEscalations repeat until someone acknowledges the alert.\n\n{SIGNOFF}\n"
    );
    Mail {
        kind: "alert_escalation",
        to: to.to_string(),
        subject: format!("Kindred safety alert ({severity}) not acknowledged: escalation {level}"),
        text,
        html: None,
    }
}

/// A room's facilitator asked a moderator to look (an amber alert). No reason, no text, no
/// names: only where to look.
pub fn volunteer_escalation(to: &str, public_url: &str, alert_id: &str) -> Mail {
    let link = format!("{public_url}/moderation/alerts/{alert_id}");
    let text = format!(
        "A volunteer has asked a moderator to look at their room (amber alert). Please look within the hour.\n\nOpen the alert: {link}\n\nAcknowledge the alert once someone has it in hand.\n\n{SIGNOFF}\n"
    );
    Mail {
        kind: "volunteer_escalation",
        to: to.to_string(),
        subject: "Kindred safety alert (amber): a volunteer asks for a moderator".to_string(),
        text,
        html: None,
    }
}
