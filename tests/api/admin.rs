//! Roles: only admins change them, every change is audited in the same transaction, and the
//! last admin stays.

use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{TestApp, assert_problem};

async fn audit_rows(app: &TestApp, target: &str) -> Vec<kindred::db::audit::AuditEntry> {
    let t = target.to_string();
    app.db(move |c| kindred::db::audit::for_target(c, &t).unwrap())
        .await
}

async fn an_admin_changes_a_role_and_it_is_audited(app: TestApp) {
    let ada = app.staff("Ada", "admin").await;
    let sam = app.signup("Sam").await;
    let resp = app
        .put_auth(
            &format!("/api/v1/admin/users/{}/role", sam.id),
            &ada.access,
            &json!({"role": "moderator", "reason": "completed moderator training", "password": ada.password}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["user"]["role"], "moderator");
    // The role is read fresh on every request: Sam's existing token now carries it.
    let me: Value = app
        .get_auth("/api/v1/me", &sam.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "moderator");
    let rows = audit_rows(&app, &sam.id).await;
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.action, "user.role_changed");
    assert_eq!(row.actor_id.as_deref(), Some(ada.id.as_str()));
    assert_eq!(row.reason.as_deref(), Some("completed moderator training"));
    let details: Value = serde_json::from_str(&row.details).unwrap();
    assert_eq!(details, json!({"from": "member", "to": "moderator"}));
    // Demotion takes effect at once too.
    let resp = app
        .put_auth(
            &format!("/api/v1/admin/users/{}/role", sam.id),
            &ada.access,
            &json!({"role": "member", "reason": "stepped down", "password": ada.password}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let me: Value = app
        .get_auth("/api/v1/me", &sam.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "member");
    assert_eq!(audit_rows(&app, &sam.id).await.len(), 2);
}
both_backends!(an_admin_changes_a_role_and_it_is_audited);

async fn only_admins_may_change_roles(app: TestApp) {
    let mo = app.staff("Moe", "moderator").await;
    let sam = app.signup("Sam").await;
    for who in [&sam, &mo] {
        let resp = app
            .put_auth(
                &format!("/api/v1/admin/users/{}/role", sam.id),
                &who.access,
                &json!({"role": "admin", "reason": "let me in"}),
            )
            .await;
        assert_problem(resp, 403, "insufficient_role").await;
    }
    let resp = app
        .client
        .put(app.url(&format!("/api/v1/admin/users/{}/role", sam.id)))
        .json(&json!({"role": "admin", "reason": "x"}))
        .send()
        .await
        .unwrap();
    assert_problem(resp, 401, "missing_token").await;
    assert!(audit_rows(&app, &sam.id).await.is_empty());
}
both_backends!(only_admins_may_change_roles);

async fn the_last_admin_cannot_be_demoted(app: TestApp) {
    let ada = app.staff("Ada", "admin").await;
    let path = format!("/api/v1/admin/users/{}/role", ada.id);
    let resp = app
        .put_auth(
            &path,
            &ada.access,
            &json!({"role": "member", "reason": "oops", "password": ada.password}),
        )
        .await;
    assert_problem(resp, 409, "last_admin").await;
    // With a second admin, the first may step down.
    let bea = app.signup("Bea").await;
    let resp = app
        .put_auth(
            &format!("/api/v1/admin/users/{}/role", bea.id),
            &ada.access,
            &json!({"role": "admin", "reason": "co-admin", "password": ada.password}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    // Bea's admin role opens nothing until she has a second factor and signs in with it.
    let handing_over =
        json!({"role": "member", "reason": "handing over", "password": bea.password});
    let resp = app.put_auth(&path, &bea.access, &handing_over).await;
    assert_problem(resp, 403, "mfa_required").await;
    let (secret, _) = app.enrol_totp(&bea).await;
    let bea = app.signin_mfa(&bea, &secret).await;
    let resp = app.put_auth(&path, &bea.access, &handing_over).await;
    assert_eq!(resp.status(), 200);
}
both_backends!(the_last_admin_cannot_be_demoted);

async fn role_changes_validate_their_input(app: TestApp) {
    let ada = app.staff("Ada", "admin").await;
    let sam = app.signup("Sam").await;
    let path = format!("/api/v1/admin/users/{}/role", sam.id);
    let resp = app
        .put_auth(
            &path,
            &ada.access,
            &json!({"role": "superuser", "reason": "x"}),
        )
        .await;
    assert_problem(resp, 422, "invalid_role").await;
    let resp = app
        .put_auth(
            &path,
            &ada.access,
            &json!({"role": "moderator", "reason": "  "}),
        )
        .await;
    assert_problem(resp, 422, "invalid_reason").await;
    let resp = app
        .put_auth(
            &path,
            &ada.access,
            &json!({"role": "moderator", "reason": "r".repeat(501)}),
        )
        .await;
    assert_problem(resp, 422, "invalid_reason").await;
    for missing in [uuid::Uuid::now_v7().to_string(), "not-a-uuid".to_string()] {
        let resp = app
            .put_auth(
                &format!("/api/v1/admin/users/{missing}/role"),
                &ada.access,
                &json!({"role": "moderator", "reason": "x", "password": ada.password}),
            )
            .await;
        assert_problem(resp, 404, "not_found").await;
    }
}
both_backends!(role_changes_validate_their_input);

async fn the_audit_log_refuses_updates_and_deletes(app: TestApp) {
    let ada = app.staff("Ada", "admin").await;
    let sam = app.signup("Sam").await;
    app.put_auth(
        &format!("/api/v1/admin/users/{}/role", sam.id),
        &ada.access,
        &json!({"role": "volunteer", "reason": "trained", "password": ada.password}),
    )
    .await;
    let (upd, del) = app
        .db(|c| {
            use diesel::prelude::*;
            use kindred::db::schema::audit_log::dsl::*;
            let u = diesel::update(audit_log)
                .set(reason.eq("rewritten"))
                .execute(c);
            let d = diesel::delete(audit_log).execute(c);
            (u.is_err(), d.is_err())
        })
        .await;
    assert!(upd && del, "audit_log must be append-only");
    assert_eq!(
        audit_rows(&app, &sam.id).await[0].reason.as_deref(),
        Some("trained")
    );
}
both_backends!(the_audit_log_refuses_updates_and_deletes);
