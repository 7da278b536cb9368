//! The HTTP contract's small promises (issue 12, points 7 and 8): any method string is one
//! bounded `other` series in /metrics; every 405 lists the path's methods in `Allow`; a
//! repeated or unreadable query parameter is 422 `invalid_query` on every route; one-time
//! email links answer the code `openapi.yaml` names.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::json;

use crate::both_backends;
use crate::support::{TestApp, assert_problem};

async fn an_unknown_method_is_counted_as_other(app: TestApp) {
    for m in ["ANYMETHOD", "ANOTHERONE", "X-1"] {
        let method = Method::from_bytes(m.as_bytes()).unwrap();
        let r = app
            .client
            .request(method, app.url("/healthz"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 405);
    }
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(
        text.contains(
            "kindred_http_requests_total{route=\"/healthz\",method=\"other\",status=\"405\"} 3"
        ),
        "{text}"
    );
    for m in ["ANYMETHOD", "ANOTHERONE", "X-1"] {
        assert!(!text.contains(m), "{m} became a label:\n{text}");
    }
}
both_backends!(an_unknown_method_is_counted_as_other);

async fn every_405_lists_the_methods_of_its_path_in_allow(app: TestApp) {
    let mut by_path: Vec<(String, BTreeSet<String>)> = Vec::new();
    for (method, path) in kindred::api::route_list() {
        match by_path.iter_mut().find(|(p, _)| *p == path) {
            Some((_, ms)) => {
                ms.insert(method);
            }
            None => by_path.push((path, BTreeSet::from([method]))),
        }
    }
    let id = "0193e4d5-6f70-7182-9a3b-4c5d6e7f8091";
    for (path, methods) in by_path {
        let concrete = path
            .split('/')
            .map(|seg| if seg.starts_with('{') { id } else { seg })
            .collect::<Vec<_>>()
            .join("/");
        let other = ["PUT", "DELETE", "PATCH", "POST", "GET"]
            .into_iter()
            .find(|m| !methods.contains(*m))
            .unwrap();
        let r = app
            .client
            .request(
                Method::from_bytes(other.as_bytes()).unwrap(),
                app.url(&concrete),
            )
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        let allow = r
            .headers()
            .get("allow")
            .unwrap_or_else(|| panic!("{other} {path}: 405 without Allow"))
            .to_str()
            .unwrap()
            .to_string();
        let listed: BTreeSet<String> = allow.split(',').map(|m| m.trim().to_string()).collect();
        assert_eq!(listed, methods, "{other} {path}: Allow: {allow}");
        assert_problem(r, 405, "method_not_allowed").await;
    }
}
both_backends!(every_405_lists_the_methods_of_its_path_in_allow);

async fn repeated_or_unreadable_query_parameters_are_422_invalid_query(app: TestApp) {
    let mo = app.staff("quinn", "moderator").await;
    for path in [
        "/api/v1/safety/resources?region=england&region=wales",
        "/api/v1/safety/resources?region=%FF%FE",
        "/api/v1/moderation/audit?limit=1&limit=2",
        "/api/v1/moderation/alerts?limit=1&limit=2",
        "/api/v1/moderation/reports?limit=%zz",
        "/api/v1/moderation/volunteer-applications?status=pending&status=approved",
    ] {
        let r = app.get_auth(path, &mo.access).await;
        assert_problem(r, 422, "invalid_query").await;
    }
}
both_backends!(repeated_or_unreadable_query_parameters_are_422_invalid_query);

async fn bad_email_links_answer_the_code_the_contract_names(app: TestApp) {
    let spec =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml")).unwrap();
    let token = "not-a-real-token-at-all";
    for (path, body) in [
        ("/api/v1/auth/verify-email", json!({ "token": token })),
        (
            "/api/v1/auth/password-reset/confirm",
            json!({ "token": token, "password": "a long enough passphrase" }),
        ),
    ] {
        let r = app.post(path, &body).await;
        let body = assert_problem(r, 400, "invalid_token").await;
        let code = body["code"].as_str().unwrap();
        assert!(
            spec.contains(&format!("`{code}`")),
            "{code} is not in openapi.yaml"
        );
    }
    assert!(!spec.contains("invalid_email_token"));
}
both_backends!(bad_email_links_answer_the_code_the_contract_names);
