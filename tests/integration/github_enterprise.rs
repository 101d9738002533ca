//! GitHub Enterprise: REST under `/api/v3`, GraphQL at `/api/graphql`, and
//! `Link` URLs that carry the `/api/v3` prefix.

use std::time::Duration;

use readiness::collect::github::client::{Client, Settings, Token};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// REST paths keep the `/api/v3` base (once, also when following `Link` headers) and GraphQL goes to `/api/graphql`.
#[tokio::test]
async fn enterprise_urls_are_joined_correctly() {
    let server = MockServer::start().await;
    let api = format!("{}/api/v3", server.uri());
    Mock::given(method("GET"))
        .and(path("/api/v3/repos/team/tool/releases"))
        .and(wiremock::matchers::query_param("page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"tag_name": "v2"}])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v3/repos/team/tool/releases"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([{"tag_name": "v1"}]))
                .insert_header(
                    "link",
                    format!("<{api}/repos/team/tool/releases?per_page=100&page=2>; rel=\"next\"")
                        .as_str(),
                ),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/graphql"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {"ok": true}})))
        .mount(&server)
        .await;
    let settings = Settings {
        api_url: api.clone(),
        token: Some(Token::new("ghe_token", "test").unwrap()),
        backoff: Duration::from_millis(5),
        ..Settings::default()
    };
    let client = Client::new(settings, None).unwrap();
    let listing = client
        .get_all("/repos/team/tool/releases?per_page=100", 10)
        .await;
    assert!(listing.error.is_none(), "{:?}", listing.error);
    let tags: Vec<&str> = listing
        .items
        .iter()
        .filter_map(|r| r["tag_name"].as_str())
        .collect();
    assert_eq!(tags, ["v1", "v2"]);
    assert_eq!(
        client.graphql("{ ok }", &json!({})).await.unwrap()["data"]["ok"],
        true
    );
}

/// A GitHub that cannot be connected to is given up quickly, said plainly,
/// and the rest of the run's requests fail at once instead of each retrying.
#[tokio::test]
async fn an_unreachable_github_fails_fast() {
    use readiness::collect::github::client::FetchError;
    // Nothing listens on the discard port of loopback: connections are refused.
    let settings = Settings {
        api_url: "http://127.0.0.1:9".into(),
        backoff: Duration::from_millis(5),
        ..Settings::default()
    };
    let client = Client::new(settings, None).unwrap();
    match client.get("/repos/a/b/releases").await {
        Err(FetchError::Unreachable { base, .. }) => assert_eq!(base, "http://127.0.0.1:9"),
        other => panic!("expected Unreachable, got {other:?}"),
    }
    let sent = client.stats.sent.load(std::sync::atomic::Ordering::Relaxed);
    assert_eq!(sent, 3, "one try and two retries");
    assert!(matches!(
        client.get("/repos/a/b/issues").await,
        Err(FetchError::Unreachable { .. })
    ));
    assert!(matches!(
        client.graphql("{ x }", &json!({})).await,
        Err(FetchError::Unreachable { .. })
    ));
    assert_eq!(
        client.stats.sent.load(std::sync::atomic::Ordering::Relaxed),
        sent,
        "later requests are not sent"
    );
}
