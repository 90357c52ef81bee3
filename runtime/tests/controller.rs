//! What `app` adds around controllers: the CSRF check on every route, flash messages that
//! survive one redirect and are shown once, and the `Args` of TreeFrog-style URLs.
#![cfg(feature = "sqlite")]

mod common;

use axum::body::Body;
use axum::http::header::{COOKIE, HOST, ORIGIN, SET_COOKIE};
use axum::http::{Request, StatusCode};
use common::{app_root, EXAMPLE};
use tspawn_runtime::controller::Args;
use tspawn_runtime::prelude::*;
use tspawn_runtime::tower::ServiceExt;
use tspawn_runtime::{app, connect, flash, session_cookie};

/// A controller with TreeFrog's routes: `/blog/ACTION[/args...]`.
fn routes() -> Router<AppState> {
    async fn show(Args(args): Args, flash: Flash) -> Html<String> {
        let notice = flash.get(flash::NOTICE).unwrap_or("-");
        Html(format!("args={args:?} notice={notice}"))
    }
    async fn remove(State(state): State<AppState>, mut session: HttpSession) -> Response {
        flash::set(&mut session, flash::NOTICE, "Blog removed.");
        flash::redirect(&state.config, &session, "/blog/show")
    }
    async fn count(flash: Flash) -> String {
        format!("{} messages", flash.iter().count())
    }
    async fn user(session: HttpSession) -> String {
        format!("user={}", session.get("user").unwrap_or("-"))
    }
    /// A form re-rendered with its errors: 422, HTML.
    async fn invalid(flash: Flash) -> Response {
        let notice = flash.get(flash::NOTICE).unwrap_or("-");
        let page = Html(format!("errors notice={notice}"));
        (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
    }
    /// A logout that renders a page and removes the session cookie.
    async fn logout() -> Response {
        let removal = "tspawn_session=; Path=/; Max-Age=0";
        ([(SET_COOKIE, removal)], Html("bye")).into_response()
    }
    /// A login that renders a page with a session cookie of its own, lasting an hour.
    async fn login(State(state): State<AppState>, mut session: HttpSession) -> Response {
        session.insert("user", "alice");
        let mut cookie = session_cookie(&state.config, &session);
        cookie.set_max_age(tspawn_runtime::cookie::time::Duration::hours(1));
        ([(SET_COOKIE, cookie.to_string())], Html("hello")).into_response()
    }
    /// A page setting a session cookie that is not signed.
    async fn forged() -> Response {
        ([(SET_COOKIE, "tspawn_session=user=mallory")], Html("?")).into_response()
    }
    Router::new()
        .route("/blog/show", get(show))
        .route("/blog/show/{*args}", get(show))
        .route("/blog/remove", post(remove).put(remove).delete(remove))
        .route("/blog/count", get(count))
        .route("/blog/user", get(user))
        .route("/blog/invalid", post(invalid))
        .route("/blog/logout", get(logout))
        .route("/blog/login", get(login))
        .route("/blog/forged", get(forged))
}

/// The app over [`routes`], with `defaults` added to `[default]` of the example config.
async fn make_app(defaults: &str) -> (tempfile::TempDir, Router) {
    make_app_of(defaults, routes()).await
}

/// The app over `routes`, with `defaults` added to `[default]` of the example config.
async fn make_app_of(defaults: &str, routes: Router<AppState>) -> (tempfile::TempDir, Router) {
    let root = app_root(&EXAMPLE.replacen("[default]\n", &format!("[default]\n{defaults}"), 1));
    let vars = [(
        "TSPAWN_DATABASE_URL".to_owned(),
        "sqlite::memory:".to_owned(),
    )];
    let config = Config::load_with(root.path(), "test", vars).unwrap();
    let db = connect(&config).await.unwrap();
    (root, app(routes, AppState::new(db, config)))
}

/// Status, `Set-Cookie` values and body of `METHOD path` with `headers`.
async fn send(
    router: &Router,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, Vec<String>, String) {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(HOST, "127.0.0.1:8800");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let cookies = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, cookies, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn cross_site_writes_are_refused_same_origin_and_non_browsers_pass() {
    let (_root, router) = make_app("").await;
    for method in ["POST", "PUT", "DELETE"] {
        let (status, cookies, body) = send(
            &router,
            method,
            "/blog/remove",
            &[
                ("sec-fetch-site", "cross-site"),
                ("origin", "http://evil.example"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method}");
        assert!(cookies.is_empty(), "the handler must not run: {cookies:?}");
        assert!(
            body.starts_with(&format!(
                "403 Forbidden: {method} /blog/remove from another site refused"
            )),
            "{body}"
        );
        let foreign = [(ORIGIN.as_str(), "http://evil.example")];
        assert_eq!(
            send(&router, method, "/blog/remove", &foreign).await.0,
            StatusCode::FORBIDDEN
        );
    }
    let own = [
        ("sec-fetch-site", "same-origin"),
        ("origin", "http://127.0.0.1:8800"),
    ];
    assert_eq!(
        send(&router, "POST", "/blog/remove", &own).await.0,
        StatusCode::SEE_OTHER
    );
    let origin_only = [(ORIGIN.as_str(), "http://127.0.0.1:8800")];
    assert_eq!(
        send(&router, "POST", "/blog/remove", &origin_only).await.0,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        send(&router, "POST", "/blog/remove", &[]).await.0,
        StatusCode::SEE_OTHER
    );
    let evil_get = [
        ("sec-fetch-site", "cross-site"),
        ("origin", "http://evil.example"),
    ];
    assert_eq!(
        send(&router, "GET", "/blog/show/1", &evil_get).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn allowed_origins_may_post_from_another_site() {
    let trusted = "https://admin.example";
    let headers = [("sec-fetch-site", "cross-site"), ("origin", trusted)];
    let (_root, router) = make_app("").await;
    let (status, _, _) = send(&router, "POST", "/blog/remove", &headers).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_root, router) = make_app(&format!("allowed_origins = [\"{trusted}/\"]\n")).await;
    let (status, _, _) = send(&router, "POST", "/blog/remove", &headers).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let other = [
        ("sec-fetch-site", "cross-site"),
        ("origin", "https://evil.example"),
    ];
    let (status, _, _) = send(&router, "POST", "/blog/remove", &other).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[test]
fn allowed_origins_must_be_origins() {
    let root = app_root(&EXAMPLE.replacen(
        "[default]\n",
        "[default]\nallowed_origins = [\"admin.example\"]\n",
        1,
    ));
    let error = Config::load_with(root.path(), "test", []).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "{}: allowed_origins: `admin.example` is not an origin, scheme://host[:port] (e.g. https://app.example.com)",
            root.path().join("config/app.toml").display()
        )
    );
}

#[tokio::test]
async fn a_flash_survives_the_redirect_and_shows_once() {
    let (_root, router) = make_app("").await;
    let (status, cookies, _) = send(&router, "POST", "/blog/remove", &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(cookies.len(), 1);
    let cookie = cookies[0].split(';').next().unwrap().to_owned();
    // A response that is not an HTML page (text here; JSON, static files) leaves it.
    let (_, kept, body) = send(&router, "GET", "/blog/count", &[(COOKIE.as_str(), &cookie)]).await;
    assert_eq!((body.as_str(), kept.len()), ("1 messages", 0));
    let (status, kept, _) =
        send(&router, "GET", "/index.html", &[(COOKIE.as_str(), &cookie)]).await;
    assert_eq!((status, kept.len()), (StatusCode::OK, 0));
    // A HEAD of the page (curl -I) shows nothing, so it leaves it too.
    let (status, kept, _) =
        send(&router, "HEAD", "/blog/show", &[(COOKIE.as_str(), &cookie)]).await;
    assert_eq!((status, kept.len()), (StatusCode::OK, 0), "{kept:?}");
    // The page shows it and its response clears it.
    let (status, cleared, body) = send(
        &router,
        "GET",
        "/blog/show/a/b%20c",
        &[(COOKIE.as_str(), &cookie)],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "args=[\"a\", \"b c\"] notice=Blog removed.");
    assert_eq!(cleared.len(), 1, "{cleared:?}");
    let after = cleared[0].split(';').next().unwrap().to_owned();
    let (_, _, body) = send(&router, "GET", "/blog/show", &[(COOKIE.as_str(), &after)]).await;
    assert_eq!(body, "args=[] notice=-");
    // A tampered cookie is no flash at all.
    let forged = cookie.replacen("tspawn_session=", "tspawn_session=x", 1);
    let (_, _, body) = send(&router, "GET", "/blog/show", &[(COOKIE.as_str(), &forged)]).await;
    assert_eq!(body, "args=[] notice=-");
}

/// The `name=value` part of the session cookie of a `POST /blog/remove` (a flash notice).
async fn flash_cookie(router: &Router) -> String {
    let (_, cookies, _) = send(router, "POST", "/blog/remove", &[]).await;
    cookies[0].split(';').next().unwrap().to_owned()
}

#[tokio::test]
async fn an_error_page_leaves_the_flash_for_the_next_page() {
    let (_root, router) = make_app("").await;
    let cookie = flash_cookie(&router).await;
    let with_cookie = [(COOKIE.as_str(), cookie.as_str())];
    let (status, kept, body) = send(&router, "POST", "/blog/invalid", &with_cookie).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body, "errors notice=Blog removed.");
    assert!(kept.is_empty(), "{kept:?}");
    let (status, kept, _) = send(&router, "GET", "/blog/nothing", &with_cookie).await;
    assert_eq!((status, kept.len()), (StatusCode::NOT_FOUND, 0));
    let (_, cleared, body) = send(&router, "GET", "/blog/show", &with_cookie).await;
    assert_eq!(body, "args=[] notice=Blog removed.");
    assert_eq!(cleared.len(), 1, "{cleared:?}");
}

#[tokio::test]
async fn the_handlers_own_session_cookie_is_never_replaced() {
    let (_root, router) = make_app("").await;
    let cookie = flash_cookie(&router).await;
    let with_cookie = [(COOKIE.as_str(), cookie.as_str())];
    // A logout's removal goes out as the handler wrote it.
    let (status, cookies, _) = send(&router, "GET", "/blog/logout", &with_cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cookies, ["tspawn_session=; Path=/; Max-Age=0"]);
    // So does a cookie that is not validly signed.
    let (_, cookies, _) = send(&router, "GET", "/blog/forged", &with_cookie).await;
    assert_eq!(cookies, ["tspawn_session=user=mallory"]);
    // A signed one keeps its session and attributes, without the shown notice.
    let (_, cookies, _) = send(&router, "GET", "/blog/login", &with_cookie).await;
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    assert!(cookies[0].contains("Max-Age=3600"), "{cookies:?}");
    let logged_in = cookies[0].split(';').next().unwrap().to_owned();
    let with_login = [(COOKIE.as_str(), logged_in.as_str())];
    let (_, _, body) = send(&router, "GET", "/blog/user", &with_login).await;
    assert_eq!(body, "user=alice");
    let (_, _, body) = send(&router, "GET", "/blog/count", &with_login).await;
    assert_eq!(body, "0 messages");
}

#[tokio::test]
async fn args_of_a_nested_controller() {
    let (_root, router) = make_app_of("", Router::new().nest("/admin", routes())).await;
    let (_, _, body) = send(&router, "GET", "/admin/blog/show/a/%2F%20", &[]).await;
    assert_eq!(body, "args=[\"a\", \"/ \"] notice=-");
    let (status, _, _) = send(&router, "GET", "/admin/blog/show/%+A", &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
