//! The routes of reports, shifts and coverage, the alert desk and holds (issue 11), appended
//! to `api::route_table` beside `moderation::routes()`'s sanctions and appeals.

use actix_web::http::Method;
use actix_web::web;

use super::{RouteDef, alerts, holds, r, reports, shifts};

pub fn routes() -> Vec<RouteDef> {
    use web::{get, post, put};
    vec![
        // Reports (issue 11 point 1) and their moderation queue.
        r(
            Method::POST,
            "/api/v1/reports",
            post().to(reports::post_report),
        ),
        r(
            Method::GET,
            "/api/v1/reports/mine",
            get().to(reports::list_my_reports),
        ),
        r(
            Method::GET,
            "/api/v1/moderation/reports",
            get().to(reports::list_moderation_reports),
        ),
        r(
            Method::POST,
            "/api/v1/moderation/reports/{id}/claim",
            post().to(reports::claim_report),
        ),
        r(
            Method::POST,
            "/api/v1/moderation/reports/{id}/resolve",
            post().to(reports::resolve_report),
        ),
        // Moderators' shifts and coverage honesty (SAFE-SG-5).
        r(
            Method::PUT,
            "/api/v1/moderation/shift",
            put().to(shifts::put_shift),
        ),
        r(
            Method::GET,
            "/api/v1/moderation/shift",
            get().to(shifts::get_shift),
        ),
        r(
            Method::GET,
            "/api/v1/safety/coverage",
            get().to(shifts::get_coverage),
        ),
        // The alert desk (issue 11, points 2, 3 and 10).
        r(
            Method::GET,
            "/api/v1/moderation/alerts",
            get().to(alerts::list_alerts),
        ),
        r(
            Method::POST,
            "/api/v1/moderation/alerts/{id}/acknowledge",
            post().to(alerts::acknowledge_alert),
        ),
        r(
            Method::POST,
            "/api/v1/moderation/alerts/{id}/resolve",
            post().to(alerts::resolve_alert),
        ),
        r(
            Method::GET,
            "/api/v1/moderation/stats",
            get().to(alerts::get_moderation_stats),
        ),
        r(
            Method::POST,
            "/api/v1/rooms/{id}/escalate",
            post().to(alerts::escalate_room),
        ),
        // Holds for review (moderation::holds).
        r(
            Method::GET,
            "/api/v1/moderation/held",
            get().to(holds::list_held_messages),
        ),
        r(
            Method::POST,
            "/api/v1/moderation/messages/{id}/release",
            post().to(holds::release_held_message),
        ),
        r(
            Method::POST,
            "/api/v1/moderation/messages/{id}/reject",
            post().to(holds::reject_held_message),
        ),
    ]
}
