//! The emulator over real HTTP on 127.0.0.1: every rule of the API it honours, each with a case
//! that passes and one that is refused.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use storedesk::emulator::{Emulator, EmulatorConfig, Faults, start_in_background};
use storedesk::model::Store;

const PRIVATE: &str = "test-private-key-7f3a";
const PUBLIC: &str = "test-public-key-91c2";

async fn start_with(configure: impl FnOnce(&mut EmulatorConfig)) -> Emulator {
    let mut config = EmulatorConfig {
        private_key: PRIVATE.into(),
        public_key: PUBLIC.into(),
        qps: 0,
        ..EmulatorConfig::default()
    };
    configure(&mut config);
    Emulator::start(config, "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("emulator starts")
}

async fn start() -> Emulator {
    start_with(|_| {}).await
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client")
}

/// `path` with the private key added to its query.
fn url(emulator: &Emulator, path: &str) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{}{path}{sep}private_key={PRIVATE}", emulator.base_url())
}

fn store_json(id: &str) -> Value {
    json!({"storeId": id, "name": format!("Store {id}"), "location": {"lat": 48.85, "lng": 2.35}})
}

fn store(id: &str) -> Store {
    serde_json::from_value(store_json(id)).expect("store")
}

fn ids(emulator: &Emulator) -> Vec<String> {
    emulator
        .stores()
        .iter()
        .map(|s| s.id().to_owned())
        .collect()
}

async fn send(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.expect("answered");
    let status = response.status().as_u16();
    let body = response.json::<Value>().await.expect("JSON body");
    (status, body)
}

async fn write(
    emulator: &Emulator,
    method: reqwest::Method,
    path: &str,
    stores: Vec<Value>,
) -> (u16, Value) {
    send(
        client()
            .request(method, url(emulator, path))
            .json(&json!({"stores": stores})),
    )
    .await
}

async fn post(emulator: &Emulator, stores: Vec<Value>) -> (u16, Value) {
    write(emulator, reqwest::Method::POST, "/stores", stores).await
}

fn is_error(body: &Value, mentioning: &str) -> bool {
    body["status"] == "error"
        && body["value"]
            .as_str()
            .is_some_and(|v| v.contains(mentioning))
}

#[tokio::test]
async fn post_then_get_one_in_the_read_format() {
    let emulator = start().await;
    let mut full = store_json("S1");
    full["address"] =
        json!({"lines": ["1 rue A"], "countryCode": "FR", "city": "Paris", "zipcode": "75001"});
    full["localizedNames"] = json!({"fr": "Boutique"});
    full["openingHours"] = json!({"timezone": "Europe/Paris", "usual": {"default": [{"start": "08:00", "end": "20:00"}]}});
    let (status, body) = post(&emulator, vec![full, store_json("S2")]).await;
    assert_eq!(
        (status, &body),
        (200, &json!({"status": "success", "value": "2 stores"}))
    );

    let (status, feature) = send(client().get(url(&emulator, "/stores/S1"))).await;
    assert_eq!(status, 200);
    assert_eq!(feature["type"], "Feature");
    let props = &feature["properties"];
    assert_eq!(props["store_id"], "S1");
    assert_eq!(props["address"]["country_code"], "fr");
    assert!(props.get("localizedNames").is_none() && props.get("localized_names").is_none());
    assert!(props["weekly_opening"].is_object());
    assert_eq!(feature["geometry"]["coordinates"], json!([2.35, 48.85]));
    let stamp = props["last_updated"].as_str().expect("last_updated");
    assert!(
        chrono::DateTime::parse_from_rfc3339(stamp).is_ok(),
        "{stamp}"
    );
    assert!(stamp.ends_with("+00:00") && stamp.len() == 32, "{stamp}");

    let (status, body) = send(client().get(url(&emulator, "/stores/NOPE"))).await;
    assert_eq!((status, body), (404, json!({"detail": "Not found."})));
}

#[tokio::test]
async fn post_refuses_a_whole_batch_with_an_existing_id() {
    let emulator = start().await;
    assert_eq!(post(&emulator, vec![store_json("A")]).await.0, 200);
    let (status, body) = post(&emulator, vec![store_json("B"), store_json("A")]).await;
    assert_eq!(status, 400);
    assert!(is_error(&body, "\"A\""), "{body}");
    assert_eq!(ids(&emulator), ["A"]);
}

#[tokio::test]
async fn one_invalid_store_leaves_the_batch_uncreated() {
    let emulator = start().await;
    let mut bad_lat = store_json("BAD");
    bad_lat["location"]["lat"] = json!(95.0);
    let mut no_name = store_json("NONAME");
    no_name.as_object_mut().expect("object").remove("name");
    let mut bad_zone = store_json("ZONE");
    bad_zone["openingHours"] = json!({"timezone": "Mars/Olympus"});
    let cases = [
        (bad_lat, "BAD"),
        (no_name, "NONAME"),
        (bad_zone, "Mars/Olympus"),
        (store_json("has-dash"), "has-dash"),
        (store_json("GOOD"), "more than once"),
    ];
    for (bad, mentioning) in cases {
        let (status, body) = post(&emulator, vec![store_json("GOOD"), bad]).await;
        assert_eq!(status, 400, "{mentioning}");
        assert!(is_error(&body, mentioning), "{body}");
    }
    assert!(emulator.stores().is_empty());
}

#[tokio::test]
async fn bodies_that_are_not_a_stores_object_are_invalid_json() {
    let emulator = start().await;
    let expected = json!({"status": "error", "value": "The request is invalid, the data is not a valid JSON."});
    for body in [
        "{\"stores\": [",
        "[]",
        "{\"stores\": {}}",
        "{\"shops\": []}",
        "",
    ] {
        let (status, answer) = send(client().post(url(&emulator, "/stores")).body(body)).await;
        assert_eq!((status, &answer), (400, &expected), "{body}");
    }
    let (status, _) = post(&emulator, vec![store_json("A")]).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn put_refuses_missing_ids_and_replaces_whole_assets() {
    let emulator = start().await;
    let mut rich = store_json("A");
    rich["tags"] = json!(["wifi"]);
    rich["localizedNames"] = json!({"fr": "A"});
    assert_eq!(post(&emulator, vec![rich]).await.0, 200);

    let (status, body) = write(
        &emulator,
        reqwest::Method::PUT,
        "/stores",
        vec![store_json("A"), store_json("Z")],
    )
    .await;
    assert_eq!(status, 400);
    assert!(is_error(&body, "\"Z\""), "{body}");
    assert_eq!(emulator.stores()[0].tags, Some(vec!["wifi".to_owned()]));

    let mut renamed = store_json("A");
    renamed["name"] = json!("Renamed");
    let (status, body) = write(&emulator, reqwest::Method::PUT, "/stores", vec![renamed]).await;
    assert_eq!(
        (status, body),
        (200, json!({"status": "success", "value": "1 stores"}))
    );
    let stores = emulator.stores();
    assert_eq!(stores.len(), 1);
    assert_eq!(stores[0].display_name(), "Renamed");
    assert_eq!(stores[0].tags, None);
    assert_eq!(stores[0].localized_names, None);
}

#[tokio::test]
async fn delete_by_id_by_list_and_everything() {
    let emulator = start().await;
    let all: Vec<Value> = ["A", "B", "C", "D", "E"]
        .into_iter()
        .map(store_json)
        .collect();
    assert_eq!(post(&emulator, all).await.0, 200);
    let delete = |query: &str| client().delete(url(&emulator, &format!("/stores?query={query}")));

    let (status, body) = send(delete("idstore:=A")).await;
    assert_eq!(
        (status, body),
        (200, json!({"status": "success", "value": 1}))
    );
    let (status, body) = send(delete("idstore:%5BB,%20C,NOPE%5D")).await;
    assert_eq!(
        (status, body),
        (200, json!({"status": "success", "value": 2}))
    );
    assert_eq!(ids(&emulator), ["D", "E"]);

    for bad in ["idstore:B", "idstore:[]", "", "name:=D"] {
        let (status, body) = send(delete(bad)).await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(body["status"], "error", "{bad}");
    }
    assert_eq!(ids(&emulator), ["D", "E"]);

    let (status, body) = send(client().delete(url(&emulator, "/stores"))).await;
    assert_eq!(
        (status, body),
        (200, json!({"status": "success", "value": 2}))
    );
    assert!(emulator.stores().is_empty());
}

#[tokio::test]
async fn replace_is_all_or_nothing() {
    let emulator = start().await;
    assert_eq!(
        post(&emulator, vec![store_json("A"), store_json("B")])
            .await
            .0,
        200
    );
    let mut bad = store_json("D");
    bad["location"] = json!({"lat": 1, "lng": 200});
    let (status, body) = write(
        &emulator,
        reqwest::Method::POST,
        "/stores/replace",
        vec![store_json("C"), bad],
    )
    .await;
    assert_eq!(status, 400);
    assert!(is_error(&body, "\"D\""), "{body}");
    assert_eq!(ids(&emulator), ["A", "B"]);

    let (status, body) = write(
        &emulator,
        reqwest::Method::POST,
        "/stores/replace",
        vec![store_json("C"), store_json("D"), store_json("E")],
    )
    .await;
    assert_eq!(
        (status, body),
        (
            200,
            json!({"status": "success", "value": "2 stores deleted, 3 stores created"})
        )
    );
    assert_eq!(ids(&emulator), ["C", "D", "E"]);
}

#[tokio::test]
async fn a_thousand_stores_come_back_in_four_pages() {
    let emulator = start_with(|c| c.page_size = 300).await;
    let all: Vec<String> = (0..1000).map(|i| format!("S{i:04}")).collect();
    let (status, body) = post(&emulator, all.iter().map(|id| store_json(id)).collect()).await;
    assert_eq!((status, body["value"].as_str()), (200, Some("1000 stores")));

    let mut seen = Vec::new();
    for page in 1..=4 {
        let (status, body) =
            send(client().get(url(&emulator, &format!("/stores?page={page}")))).await;
        assert_eq!(status, 200);
        assert_eq!(body["type"], "FeatureCollection");
        assert_eq!(body["pagination"], json!({"page": page, "pageCount": 4}));
        let features = body["features"].as_array().expect("features");
        assert_eq!(features.len(), if page < 4 { 300 } else { 100 });
        seen.extend(features.iter().map(|f| {
            f["properties"]["store_id"]
                .as_str()
                .unwrap_or("")
                .to_owned()
        }));
    }
    assert_eq!(seen, all);

    let (_, first) = send(client().get(url(&emulator, "/stores"))).await;
    assert_eq!(first["pagination"]["page"], 1);
    let (status, past) = send(client().get(url(&emulator, "/stores?page=5"))).await;
    assert_eq!(status, 200);
    assert_eq!(past["features"], json!([]));
    assert_eq!(past["pagination"], json!({"page": 5, "pageCount": 4}));
}

#[tokio::test]
async fn an_empty_project_has_one_empty_page() {
    let emulator = start().await;
    let (status, body) = send(client().get(url(&emulator, "/stores"))).await;
    assert_eq!(status, 200);
    assert_eq!(body["features"], json!([]));
    assert_eq!(body["pagination"], json!({"page": 1, "pageCount": 1}));
}

#[tokio::test]
async fn keys_decide_who_may_read_and_write() {
    let emulator = start().await;
    emulator.put_store(store("A"));
    let base = emulator.base_url();
    let unauthorized = json!({"detail": "Incorrect authentication credentials. Please check or use a valid API Key"});

    for query in ["", "?private_key=wrong", "?key=wrong"] {
        let (status, body) = send(client().get(format!("{base}/stores/A{query}"))).await;
        assert_eq!((status, &body), (401, &unauthorized), "{query}");
    }
    let (status, body) = send(
        client()
            .post(format!("{base}/stores?private_key=wrong"))
            .json(&json!({"stores": [store_json("B")]})),
    )
    .await;
    assert_eq!((status, &body), (401, &unauthorized));

    for query in [format!("key={PUBLIC}"), format!("private_key={PUBLIC}")] {
        let (status, body) = send(
            client()
                .post(format!("{base}/stores?{query}"))
                .json(&json!({"stores": [store_json("B")]})),
        )
        .await;
        assert_eq!(status, 403, "{query}");
        assert!(
            body["detail"]
                .as_str()
                .is_some_and(|d| d.contains("public key")),
            "{body}"
        );
        let (status, _) = send(client().delete(format!("{base}/stores?{query}"))).await;
        assert_eq!(status, 403, "{query}");
    }
    assert_eq!(ids(&emulator), ["A"]);

    let (status, body) = send(client().get(format!("{base}/stores/A?key={PUBLIC}"))).await;
    assert_eq!(
        (status, body["properties"]["store_id"].as_str()),
        (200, Some("A"))
    );
    let (status, body) = send(client().get(format!("{base}/stores?key={PUBLIC}"))).await;
    assert_eq!(
        (status, body["features"].as_array().map(Vec::len)),
        (200, Some(1))
    );
}

#[tokio::test]
async fn requests_past_the_rate_limit_get_429() {
    let emulator = start_with(|c| c.qps = 10).await;
    let client = client();
    let mut statuses = Vec::new();
    let mut limited = None;
    for _ in 0..30 {
        let response = client
            .get(url(&emulator, "/stores"))
            .send()
            .await
            .expect("answered");
        statuses.push(response.status().as_u16());
        if response.status().as_u16() == 429 && limited.is_none() {
            assert!(response.headers().get("retry-after").is_none());
            limited = Some(response.json::<Value>().await.expect("JSON body"));
        }
    }
    assert!(statuses[..10].iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(
        limited,
        Some(json!({"detail": "The rate limit for this endpoint has been exceeded"})),
        "{statuses:?}"
    );

    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (status, _) = send(client.get(url(&emulator, "/stores"))).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_body_over_15_mb_is_refused_with_413() {
    let emulator = start().await;
    let filler = "x".repeat(16 * 1024 * 1024);
    let body = format!(
        "{{\"stores\": [{{\"storeId\": \"BIG\", \"name\": \"{filler}\", \"location\": {{\"lat\": 1, \"lng\": 2}}}}]}}"
    );
    let (status, answer) = send(client().post(url(&emulator, "/stores")).body(body)).await;
    assert_eq!(
        (status, answer),
        (413, json!({"detail": "Request body is larger than 15 MB."}))
    );
    assert!(emulator.stores().is_empty());

    let almost = "x".repeat(14 * 1024 * 1024);
    let mut big = store_json("BIG");
    big["name"] = json!(almost);
    assert_eq!(post(&emulator, vec![big]).await.0, 200);
}

#[tokio::test]
async fn a_lost_response_still_applies_the_write() {
    let emulator = start_with(|c| {
        c.faults = Faults {
            lost_response_rate: 1.0,
            ..Faults::default()
        }
    })
    .await;
    let result = client()
        .post(url(&emulator, "/stores"))
        .json(&json!({"stores": [store_json("LOST")]}))
        .send()
        .await;
    assert!(result.is_err(), "{result:?}");
    assert_eq!(ids(&emulator), ["LOST"]);

    // Reads are never lost.
    let (status, body) = send(client().get(url(&emulator, "/stores/LOST"))).await;
    assert_eq!(
        (status, body["properties"]["store_id"].as_str()),
        (200, Some("LOST"))
    );

    emulator.set_faults(Faults::default());
    let (status, body) = post(&emulator, vec![store_json("LOST")]).await;
    assert_eq!(status, 400, "a repeated POST is refused: {body}");
    let log = emulator.requests();
    assert_eq!(
        log.first().map(|r| (r.method.as_str(), r.status)),
        Some(("POST", 0))
    );
}

#[tokio::test]
async fn server_errors_apply_nothing() {
    let emulator = start_with(|c| {
        c.faults = Faults {
            server_error_rate: 1.0,
            ..Faults::default()
        }
    })
    .await;
    for _ in 0..4 {
        let (status, body) = post(&emulator, vec![store_json("A")]).await;
        assert!(status == 502 || status == 503, "{status}");
        assert_eq!(body, json!({"detail": "Service unavailable"}));
    }
    let (status, _) = send(client().get(url(&emulator, "/stores"))).await;
    assert!(status == 502 || status == 503, "{status}");
    assert!(emulator.stores().is_empty());

    emulator.set_faults(Faults::default());
    assert_eq!(post(&emulator, vec![store_json("A")]).await.0, 200);
}

#[tokio::test]
async fn slow_answers_and_latency_delay_the_answer_not_the_write() {
    let emulator = start_with(|c| {
        c.latency = Duration::from_millis(50);
        c.faults = Faults {
            slow_rate: 1.0,
            slow_delay: Duration::from_millis(300),
            ..Faults::default()
        }
    })
    .await;
    let started = Instant::now();
    let (status, _) = post(&emulator, vec![store_json("A")]).await;
    assert_eq!(status, 200);
    assert!(
        started.elapsed() >= Duration::from_millis(350),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(ids(&emulator), ["A"]);

    emulator.set_faults(Faults::default());
    let started = Instant::now();
    let (status, _) = send(client().get(url(&emulator, "/stores/A"))).await;
    assert_eq!(status, 200);
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(50) && elapsed < Duration::from_millis(300),
        "{elapsed:?}"
    );
}

#[tokio::test]
async fn the_state_file_survives_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("project.json");
    let emulator = start_with(|c| c.state_file = Some(path.clone())).await;
    let mut with_names = store_json("KEPT");
    with_names["localizedNames"] = json!({"fr": "Gardé"});
    assert_eq!(
        post(&emulator, vec![with_names, store_json("GONE")])
            .await
            .0,
        200
    );
    let (status, _) = send(client().delete(url(&emulator, "/stores?query=idstore:=GONE"))).await;
    assert_eq!(status, 200);
    let (_, before) = send(client().get(url(&emulator, "/stores/KEPT"))).await;
    let before_stores = emulator.stores();
    emulator.shutdown().await;
    let text = std::fs::read_to_string(&path).expect("state file written");
    assert!(!text.contains(PRIVATE) && !text.contains(PUBLIC));

    let again = start_with(|c| c.state_file = Some(path.clone())).await;
    assert_eq!(again.stores(), before_stores);
    assert!(again.stores()[0].localized_names.is_some());
    let (_, after) = send(client().get(url(&again, "/stores/KEPT"))).await;
    assert_eq!(
        after["properties"]["last_updated"],
        before["properties"]["last_updated"]
    );
}

#[tokio::test]
async fn the_request_log_never_holds_a_key() {
    let emulator = start().await;
    let base = emulator.base_url();
    let _ = post(&emulator, vec![store_json("A")]).await;
    let _ = send(client().get(format!("{base}/stores/A?key={PUBLIC}"))).await;
    let _ = send(client().get(format!("{base}/stores?page=1&private_key={PUBLIC}x"))).await;
    let _ = send(client().delete(url(&emulator, "/stores?query=idstore:=A"))).await;
    let _ = client()
        .get(format!("{base}/stores/{PRIVATE}"))
        .send()
        .await;

    let log = emulator.requests();
    assert_eq!(log.len(), 5);
    for entry in &log {
        assert!(
            !entry.path.contains(PRIVATE) && !entry.path.contains(PUBLIC),
            "{entry:?}"
        );
        assert!(!entry.path.contains("-key-"), "{entry:?}");
    }
    assert_eq!(log[0].method, "POST");
    assert_eq!(log[0].path, "/stores?private_key=***");
    assert_eq!(log[0].status, 200);
    assert_eq!(log[1].path, "/stores/A?key=***");
    assert_eq!(log[2].path, "/stores?page=1&private_key=***");
    assert_eq!(log[2].status, 401);
    assert_eq!(log[3].method, "DELETE");
}

#[tokio::test]
async fn unknown_paths_and_methods_get_json_details() {
    let emulator = start().await;
    let (status, body) = send(client().get(url(&emulator, "/shops"))).await;
    assert_eq!((status, body), (404, json!({"detail": "Not found."})));
    let (status, body) = send(client().patch(url(&emulator, "/stores"))).await;
    assert_eq!(status, 405);
    assert!(body["detail"].is_string());
    let (status, _) = send(client().get(url(&emulator, "/stores/replace"))).await;
    assert_eq!(status, 405);
}

#[test]
fn a_background_emulator_serves_without_a_runtime_and_stops_on_drop() {
    use std::io::{Read, Write};

    let config = EmulatorConfig {
        private_key: PRIVATE.into(),
        public_key: PUBLIC.into(),
        ..EmulatorConfig::default()
    };
    let emulator =
        start_in_background(config, "127.0.0.1:0".parse().expect("addr")).expect("starts");
    assert!(emulator.base_url().starts_with("http://127.0.0.1:"));
    let body = json!({"stores": [store_json("BG")]}).to_string();
    let mut stream = std::net::TcpStream::connect(emulator.addr()).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        stream,
        "POST /stores?private_key={PRIVATE} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("sends");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("reads");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.ends_with(r#"{"status":"success","value":"1 stores"}"#),
        "{answer}"
    );
    assert_eq!(emulator.stores().len(), 1);
    assert_eq!(emulator.requests().len(), 1);
    let addr = emulator.addr();
    drop(emulator);
    assert!(std::net::TcpStream::connect(addr).is_err());
}
