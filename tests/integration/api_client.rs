//! The client against the emulator over real HTTP on 127.0.0.1: every operation, every error
//! kind, the key kept out of all of them, and the delete-all guard.

use std::net::SocketAddr;
use std::time::Duration;

use storedesk::api::{ApiError, ApiKey, Client, ClientConfig, DELETE_ALL_CONFIRMATION, KeyKind};
use storedesk::emulator::{Emulator, EmulatorConfig, Faults};
use storedesk::model::{Location, Store};

const PRIVATE: &str = "PRIV-7f3a9c-RECOGNISABLE";
const PUBLIC: &str = "PUB-19be22-RECOGNISABLE";

fn any_port() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

async fn emulator(config: EmulatorConfig) -> Emulator {
    Emulator::start(
        EmulatorConfig {
            private_key: PRIVATE.into(),
            public_key: PUBLIC.into(),
            ..config
        },
        any_port(),
    )
    .await
    .expect("emulator starts")
}

fn client(emu: &Emulator, kind: KeyKind, secret: &str) -> Client {
    let mut config = ClientConfig::new(emu.base_url(), ApiKey::new(kind, secret));
    config.qps = 0;
    config.max_retries = 2;
    config.backoff_base = Duration::from_millis(20);
    config.max_backoff = Duration::from_millis(200);
    config.timeout = Duration::from_secs(5);
    Client::new(config).expect("client")
}

/// A client that tries once, with the private key, for the error cases.
fn one_try(base_url: String) -> ClientConfig {
    let mut config = ClientConfig::new(base_url, ApiKey::new(KeyKind::Private, PRIVATE));
    config.max_retries = 0;
    config
}

fn store(id: &str, name: &str) -> Store {
    Store {
        store_id: Some(id.into()),
        name: Some(name.into()),
        location: Some(Location::new(48.85, 2.35)),
        ..Store::default()
    }
}

#[tokio::test]
async fn every_operation_works_against_the_emulator() {
    let emu = emulator(EmulatorConfig {
        qps: 0,
        ..Default::default()
    })
    .await;
    let c = client(&emu, KeyKind::Private, PRIVATE);
    let out = c
        .add(&[store("a1", "A"), store("b2", "B"), store("c3", "C")])
        .await
        .expect("add");
    assert_eq!(out.message, "3 stores");
    let (got, meta) = c.get("a1").await.expect("get").expect("exists");
    assert_eq!(got.display_name(), "A");
    assert!(meta.last_updated.is_some());
    assert_eq!(c.get("zz").await.expect("get"), None);
    let mut renamed = store("b2", "B renamed");
    renamed.tags = Some(vec!["wifi".into()]);
    c.update(&[renamed.clone()]).await.expect("update");
    let read_back = c.get("b2").await.expect("get").map(|(s, _)| s.normalised());
    assert_eq!(read_back, Some(renamed.normalised()));
    assert_eq!(c.delete(&["a1".into()]).await.expect("delete"), 1);
    assert_eq!(
        c.delete(&["b2".into(), "zz".into()]).await.expect("delete"),
        1
    );
    let all = c.list_all(|_, _| {}).await.expect("list");
    assert_eq!(all.iter().map(|(s, _)| s.id()).collect::<Vec<_>>(), ["c3"]);
    let out = c
        .replace(&[store("d4", "D"), store("e5", "E")])
        .await
        .expect("replace");
    assert_eq!(out.message, "1 stores deleted, 2 stores created");
    let ids: Vec<String> = emu.stores().iter().map(|s| s.id().to_owned()).collect();
    assert_eq!(ids, ["d4", "e5"]);
    let page = c.list_page(1).await.expect("page");
    assert_eq!(page.pagination.map(|p| p.page_count), Some(1));
}

#[tokio::test]
async fn an_empty_delete_sends_nothing_and_delete_all_needs_its_confirmation() {
    let emu = emulator(EmulatorConfig {
        qps: 0,
        ..Default::default()
    })
    .await;
    emu.set_stores(vec![store("a1", "A"), store("b2", "B")]);
    let c = client(&emu, KeyKind::Private, PRIVATE);
    let before = emu.requests().len();
    assert_eq!(c.delete(&[]).await.expect("nothing to delete"), 0);
    assert_eq!(emu.requests().len(), before, "no request for an empty list");
    for wrong in ["", "yes", "DELETE ALL STORES "] {
        assert!(matches!(
            c.delete_all(wrong).await,
            Err(ApiError::NotConfirmed { .. })
        ));
    }
    assert_eq!(
        emu.requests().len(),
        before,
        "no request without the confirmation"
    );
    assert_eq!(emu.stores().len(), 2);
    // Only the confirmed call sends DELETE without a query.
    assert_eq!(
        c.delete_all(DELETE_ALL_CONFIRMATION)
            .await
            .expect("delete all"),
        2
    );
    assert!(emu.stores().is_empty());
    let deletes: Vec<_> = emu
        .requests()
        .into_iter()
        .filter(|r| r.method == "DELETE")
        .collect();
    assert_eq!(deletes.len(), 1);
}

#[tokio::test]
async fn a_public_key_reads_and_refuses_every_write_before_sending() {
    let emu = emulator(EmulatorConfig {
        qps: 0,
        ..Default::default()
    })
    .await;
    emu.set_stores(vec![store("a1", "A")]);
    let c = client(&emu, KeyKind::Public, PUBLIC);
    assert!(c.get("a1").await.expect("read").is_some());
    let before = emu.requests().len();
    assert_eq!(c.add(&[store("x", "X")]).await, Err(ApiError::ReadOnly));
    assert_eq!(c.update(&[store("a1", "X")]).await, Err(ApiError::ReadOnly));
    assert_eq!(c.replace(&[store("x", "X")]).await, Err(ApiError::ReadOnly));
    assert_eq!(c.delete(&["a1".into()]).await, Err(ApiError::ReadOnly));
    assert_eq!(
        c.delete_all(DELETE_ALL_CONFIRMATION).await,
        Err(ApiError::ReadOnly)
    );
    assert_eq!(emu.requests().len(), before);
}

#[tokio::test]
async fn ten_thousand_stores_come_back_through_pagination() {
    let emu = emulator(EmulatorConfig {
        qps: 0,
        page_size: 300,
        ..Default::default()
    })
    .await;
    let stores: Vec<Store> = (0..10_000)
        .map(|i| store(&format!("s{i:05}"), &format!("Store {i}")))
        .collect();
    emu.set_stores(stores.clone());
    let c = client(&emu, KeyKind::Private, PRIVATE);
    let pages = std::sync::Mutex::new(0);
    let pulled = c
        .list_all(|done, total| {
            assert!(done <= total);
            if let Ok(mut p) = pages.lock() {
                *p = total;
            }
        })
        .await
        .expect("list all");
    assert_eq!(pages.lock().map(|p| *p).unwrap_or(0), 34);
    let got: Vec<Store> = pulled.into_iter().map(|(s, _)| s.normalised()).collect();
    let want: Vec<Store> = stores.iter().map(Store::normalised).collect();
    assert_eq!(got.len(), 10_000);
    assert_eq!(got, want);
}

/// Every error kind, each triggered for real, and the key appears in none of them.
#[tokio::test]
async fn every_error_kind_keeps_the_key_out() {
    let mut errors: Vec<ApiError> = Vec::new();
    let emu = emulator(EmulatorConfig {
        qps: 0,
        ..Default::default()
    })
    .await;
    emu.set_stores(vec![store("a1", "A")]);
    let good = client(&emu, KeyKind::Private, PRIVATE);

    // 401: a wrong key that looks like the real one.
    let wrong = client(&emu, KeyKind::Private, &format!("{PRIVATE}-OLD"));
    let e = wrong.list_page(1).await.expect_err("401");
    assert!(matches!(e, ApiError::Unauthorized { .. }), "{e:?}");
    errors.push(e);
    // 403: the public key sent as a private one.
    let e = client(&emu, KeyKind::Private, PUBLIC)
        .add(&[store("x", "X")])
        .await
        .expect_err("403");
    assert!(matches!(e, ApiError::Forbidden { .. }), "{e:?}");
    errors.push(e);
    // 400: a batch with an id that exists.
    let e = good.add(&[store("a1", "A")]).await.expect_err("400");
    assert!(
        matches!(&e, ApiError::BatchRejected { message } if message.contains("a1")),
        "{e:?}"
    );
    errors.push(e);
    // Not found: a base URL with a wrong path.
    let e = Client::new(one_try(format!("{}/v9", emu.base_url())))
        .expect("client")
        .list_page(1)
        .await
        .expect_err("404");
    assert!(matches!(e, ApiError::NotFound { .. }), "{e:?}");
    errors.push(e);
    // Too large: refused before sending.
    let mut big = store("big", "Big");
    big.user_properties = Some(serde_json::Map::from_iter([(
        "blob".to_owned(),
        serde_json::Value::String("x".repeat(16 * 1024 * 1024)),
    )]));
    let before = emu.requests().len();
    let e = good.add(&[big]).await.expect_err("too large");
    assert!(matches!(e, ApiError::TooLarge { .. }), "{e:?}");
    assert_eq!(emu.requests().len(), before);
    errors.push(e);
    // 5xx on a write: reported, not retried.
    emu.set_faults(Faults {
        server_error_rate: 1.0,
        ..Faults::default()
    });
    let e = good.add(&[store("x", "X")]).await.expect_err("5xx");
    assert!(matches!(e, ApiError::Server { .. }), "{e:?}");
    errors.push(e);
    // 5xx on a read: retried, then reported.
    let before = emu.requests().len();
    let e = good.list_page(1).await.expect_err("5xx");
    assert!(matches!(e, ApiError::Server { .. }), "{e:?}");
    assert_eq!(
        emu.requests().len() - before,
        3,
        "first try and two retries"
    );
    // Lost response after a write: outcome unknown, and the write was applied.
    emu.set_faults(Faults {
        lost_response_rate: 1.0,
        ..Faults::default()
    });
    let e = good.add(&[store("lost", "Lost")]).await.expect_err("lost");
    assert!(matches!(e, ApiError::OutcomeUnknown { .. }), "{e:?}");
    assert!(emu.stores().iter().any(|s| s.id() == "lost"));
    errors.push(e);
    // Timeout on a read.
    emu.set_faults(Faults {
        slow_rate: 1.0,
        slow_delay: Duration::from_secs(3),
        ..Faults::default()
    });
    let mut cfg = one_try(emu.base_url());
    cfg.timeout = Duration::from_millis(300);
    let e = Client::new(cfg)
        .expect("client")
        .list_page(1)
        .await
        .expect_err("timeout");
    assert!(matches!(e, ApiError::Timeout(_)), "{e:?}");
    errors.push(e);
    emu.set_faults(Faults::default());

    // 429: the server's limit below the client's pace, no retries left.
    let limited = emulator(EmulatorConfig {
        qps: 2,
        ..Default::default()
    })
    .await;
    let c = client(&limited, KeyKind::Private, PRIVATE);
    let mut got_429 = None;
    for _ in 0..10 {
        if let Err(e) = c.list_page(1).await {
            got_429 = Some(e);
            break;
        }
    }
    let e = got_429.expect("rate limited");
    assert!(matches!(e, ApiError::RateLimited { .. }), "{e:?}");
    errors.push(e);

    // Network: nothing listens on a port just freed.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let e = Client::new(one_try(format!("http://127.0.0.1:{port}")))
        .expect("client")
        .list_page(1)
        .await
        .expect_err("network");
    assert!(matches!(e, ApiError::Network { .. }), "{e:?}");
    errors.push(e);
    // Insecure address.
    let e = Client::new(ClientConfig::new(
        format!("http://example.com/?private_key={PRIVATE}"),
        ApiKey::new(KeyKind::Private, PRIVATE),
    ))
    .expect_err("insecure");
    errors.push(e);

    assert_eq!(errors.len(), 11);
    for e in &errors {
        for text in [format!("{e}"), format!("{e:?}")] {
            assert!(
                !text.contains(PRIVATE) && !text.contains(PUBLIC),
                "key leaked: {text}"
            );
            assert!(!text.contains("RECOGNISABLE"), "key leaked: {text}");
        }
        assert!(format!("{e}").ends_with('.'), "a sentence: {e}");
    }
    for log in emu.requests().iter().chain(limited.requests().iter()) {
        assert!(!log.path.contains("RECOGNISABLE"), "{log:?}");
    }
}

#[tokio::test]
async fn a_429_is_waited_out_and_retried() {
    let emu = emulator(EmulatorConfig {
        qps: 3,
        ..Default::default()
    })
    .await;
    emu.set_stores(vec![store("a1", "A")]);
    let mut cfg = ClientConfig::new(emu.base_url(), ApiKey::new(KeyKind::Private, PRIVATE));
    cfg.qps = 0;
    cfg.max_retries = 6;
    cfg.backoff_base = Duration::from_millis(200);
    cfg.max_backoff = Duration::from_secs(1);
    let c = Client::new(cfg).expect("client");
    for _ in 0..8 {
        c.get("a1").await.expect("retried until it passes");
    }
    assert!(
        emu.requests().iter().any(|r| r.status == 429),
        "the limit was hit and waited out"
    );
}
