//! Text that spoofs what others read (issue 12, findings 4, 5 and 8), end to end: display
//! names in look-alike or invisible letters at registration and on `PATCH /me`, and bidi
//! overrides in message bodies over HTTP and the websocket. Nothing refused is stored.

use serde_json::json;

use crate::both_backends;
use crate::realtime::room;
use crate::support::ws::Ws;
use crate::support::{TestApp, assert_problem};

async fn spoofed_display_names_are_refused(app: TestApp) {
    let password = "a calm river at dawn";
    let cases = [
        ("\u{39C}oderator", "display_name_reserved"),
        ("\u{39D}HS", "display_name_reserved"),
        ("\u{13B7}oderator", "display_name_reserved"),
        ("M\u{1D0F}derator", "invalid_display_name"),
        ("Moderato\u{27E}", "invalid_display_name"),
        ("\u{3164}\u{3164}\u{3164}", "invalid_display_name"),
        ("\u{3164}Sam", "invalid_display_name"),
        ("\u{FFA0}\u{FFA0}\u{FFA0}", "invalid_display_name"),
    ];
    for (i, (name, code)) in cases.iter().enumerate() {
        let resp = app
            .post(
                "/api/v1/auth/register",
                &json!({"email": format!("n{i}@example.org"), "password": password, "display_name": name}),
            )
            .await;
        assert_problem(resp, 422, code).await;
    }
    let sam = app.signup("Sam").await;
    for (name, code) in cases {
        let resp = app
            .patch_auth("/api/v1/me", &sam.access, &json!({"display_name": name}))
            .await;
        assert_problem(resp, 422, code).await;
    }
}
both_backends!(spoofed_display_names_are_refused);

async fn bidi_overrides_in_bodies_are_refused(app: TestApp) {
    let ann = app.signup("Ann").await;
    let bob = app.signup("Bob").await;
    let id = room(&app, "pair", &[&ann, &bob]).await;
    let path = format!("/api/v1/rooms/{id}/messages");
    let r = app
        .post_auth(
            &path,
            &ann.access,
            &json!({"client_id": "h-1", "body": "see invoice\u{202E}fdp.exe"}),
        )
        .await;
    assert_problem(r, 422, "invalid_body").await;
    let (mut a, _) = Ws::connect(&app, &ann).await;
    a.say(&id, "w-1", "x\u{2066}y\u{2069}").await;
    assert_eq!(a.next_of("error").await["code"], "invalid_body");
    // Joiners and right-to-left marks are ordinary text and go through.
    a.say(
        &id,
        "w-2",
        "\u{1F468}\u{200D}\u{1F469} \u{5E9}\u{5DC}\u{5D5}\u{5DD}\u{200F}",
    )
    .await;
    assert_eq!(a.next_of("ack").await["client_id"], "w-2");
    let page: serde_json::Value = app.get_auth(&path, &bob.access).await.json().await.unwrap();
    let bodies: Vec<&str> = page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        bodies,
        ["\u{1F468}\u{200D}\u{1F469} \u{5E9}\u{5DC}\u{5D5}\u{5DD}\u{200F}"]
    );
}
both_backends!(bidi_overrides_in_bodies_are_refused);
