//! Input meant to stall, mislead or attack: huge or numerous scopes, redirect URIs and
//! descriptions, redirect schemes that run script, names with hidden characters. Each is refused
//! at once, with a message that says what to change.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{authorize_params, env, field_errors, oauth_error, replaced, Env, REDIRECT};

fn app_body(env: &Env, changes: Value) -> Value {
    let mut body = json!({
        "partitionGlobalId": env.partition(),
        "name": "Checked",
        "isConfidential": true,
        "redirectUri": "https://app.example/cb",
        "scopes": [{"name": "OR.Jobs", "type": "user"}],
    });
    for (key, value) in changes.as_object().unwrap() {
        body[key] = value.clone();
    }
    body
}

#[tokio::test]
async fn forty_thousand_scopes_are_refused_at_once_everywhere() {
    let env = env().await;
    let names: Vec<String> = (0..40_000).map(|i| format!("OR.Nope{i}")).collect();

    let scopes: Vec<Value> = names
        .iter()
        .map(|name| json!({"name": name, "type": "user"}))
        .collect();
    let said = field_errors(
        env.create(&app_body(&env, json!({ "scopes": scopes })))
            .await,
        "scopes",
    )
    .await;
    assert_eq!(
        said,
        ["The request names 40000 scopes: an application holds at most 500."]
    );

    let app = env
        .create_app(true, &[("OR.Jobs", "application")], Some(REDIRECT))
        .await;
    let few = names[..600].join(" ");
    let refused = env
        .token(&[
            ("grant_type", "client_credentials"),
            ("client_id", &app.id),
            ("client_secret", app.secret.as_deref().unwrap()),
            ("scope", &few),
        ])
        .await;
    let said = oauth_error(refused, StatusCode::BAD_REQUEST, "invalid_scope").await;
    assert!(
        said.contains("names 600 scopes: ask for at most 500"),
        "{said}"
    );

    let all = names.join(" ");
    let user_app = env
        .create_app(false, &[("OR.Users.Read", "user")], Some(REDIRECT))
        .await;
    let params = replaced(authorize_params(&user_app.id, "x"), "scope", &all);
    let answer = env.authorize_post(&params).await;
    let back = answer.headers()["location"].to_str().unwrap().to_owned();
    let back: Vec<(String, String)> = url::Url::parse(&back)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    assert!(
        back.contains(&("error".into(), "invalid_scope".into())),
        "{back:?}"
    );
    assert!(
        back.iter()
            .any(|(k, v)| k == "error_description" && v.contains("ask for at most 16000")),
        "{back:?}"
    );
}

#[tokio::test]
async fn redirect_uris_are_bounded_and_go_only_where_a_code_is_safe() {
    let env = env().await;
    let megabyte = format!("https://app.example/{}", "a".repeat(1_000_000));
    let many: Vec<String> = (0..21)
        .map(|i| format!("https://app.example/{i}"))
        .collect();
    for (redirect, said) in [
        (
            megabyte.as_str(),
            "is 1000020 characters long: use at most 2000",
        ),
        (
            many.join(",").as_str(),
            "has 21 redirect URIs: register at most 20",
        ),
        (
            "javascript:alert(document.cookie)//",
            "the scheme javascript:",
        ),
        (
            "data:text/html;<script>alert(1)</script>",
            "the scheme data:",
        ),
        (
            "http://app.example/cb",
            "http on a host other than this machine",
        ),
    ] {
        let messages = field_errors(
            env.create(&app_body(&env, json!({ "redirectUri": redirect })))
                .await,
            "redirectUri",
        )
        .await;
        assert!(
            messages.len() == 1 && messages[0].contains(said),
            "{messages:?}"
        );
    }
    let native = env
        .create(&app_body(
            &env,
            json!({"redirectUri": "com.example.app:/callback, http://[::1]:8400/cb"}),
        ))
        .await;
    assert_eq!(native.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_redirect_uri_stored_before_the_rules_is_never_sent_a_code() {
    let env = env().await;
    let app = env
        .create_app(false, &[("OR.Users.Read", "user")], Some(REDIRECT))
        .await;
    let stored = "javascript:alert(document.cookie)//";
    let db = rusqlite::Connection::open(env.dir.path().join("sandbox.sqlite3")).unwrap();
    db.execute(
        "UPDATE clients SET redirect_uri = ?1 WHERE id = ?2",
        [stored, app.id.as_str()],
    )
    .unwrap();
    let params = replaced(
        authorize_params(&app.id, "OR.Users.Read"),
        "redirect_uri",
        stored,
    );
    let answer = env.authorize_page(&params).await;
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    assert!(answer.headers().get("location").is_none());
    let page = answer.text().await.unwrap();
    assert!(
        page.contains("the scheme javascript:") && page.contains("Change the application"),
        "{page}"
    );
}

#[tokio::test]
async fn names_and_descriptions_must_be_short_and_show_what_they_say() {
    let env = env().await;
    for (name, said) in [
        ("invoice\u{202E}fdp.exe", "U+202E at position 8"),
        ("Billing\u{0}", "U+0000 at position 8"),
        ("\u{1b}[2JBilling", "U+001B at position 1"),
        ("Two\nlines", "U+000A at position 4"),
    ] {
        let messages = field_errors(
            env.create(&app_body(&env, json!({ "name": name }))).await,
            "name",
        )
        .await;
        assert!(
            messages.len() == 1
                && messages[0].contains(said)
                && messages[0].contains("remove control characters"),
            "{name:?}: {messages:?}"
        );
    }
    let app = env
        .create_app(true, &[("OR.Jobs", "application")], None)
        .await;
    let renamed =
        json!({"name": "a\u{2066}b", "scopes": [{"name": "OR.Jobs", "type": "application"}]});
    let messages = field_errors(
        env.admin(Method::PUT, &env.client_url(&app.id), Some(&renamed))
            .await,
        "name",
    )
    .await;
    assert!(messages[0].contains("U+2066"), "{messages:?}");

    let huge = "d".repeat(1_900_000);
    for (description, said) in [
        (huge.as_str(), "maximum length of 200"),
        ("ci\r\nrotation", "U+000D at position 3"),
        ("\u{200F}rotation", "U+200F at position 1"),
    ] {
        let body = json!({"clientId": app.id, "partitionGlobalId": env.partition(), "description": description, "expiryTime": null});
        let messages = field_errors(env.generate_secret(&body).await, "description").await;
        assert!(
            messages.len() == 1 && messages[0].contains(said),
            "{messages:?}"
        );
    }
    let fine = json!({"clientId": app.id, "partitionGlobalId": env.partition(), "description": "d".repeat(200), "expiryTime": null});
    assert_eq!(env.generate_secret(&fine).await.status(), StatusCode::OK);
}
