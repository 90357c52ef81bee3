//! One page of a list: which rows `LIMIT` / `OFFSET` select, read from `?page=2&per_page=50`.

use serde::Deserialize;

/// A 1-based page of a list: page `number` holds rows `(number - 1) * size` up to, not
/// including, `number * size`.
///
/// Handlers take it from the query string with axum's `Query<Page>`: `?page=2&per_page=50`,
/// both optional (page 1, [`Page::DEFAULT_SIZE`] rows when missing). Values are clamped as
/// [`Page::new`] does; a value that is not a number (`?page=two`, `?page=-1`) is refused by the
/// extractor with `400 Bad Request`.
///
/// ```
/// use tspawn_runtime::Page;
///
/// let page = Page::new(3, 50);
/// assert_eq!((page.limit(), page.offset()), (50, 100));
/// assert_eq!(Page::default(), Page::new(1, Page::DEFAULT_SIZE));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(from = "PageQuery")]
pub struct Page {
    /// The page, from 1.
    pub number: u32,
    /// Rows per page, from 1 to [`Page::MAX_SIZE`].
    pub size: u32,
}

impl Page {
    /// Rows per page when the request does not say (`per_page` missing).
    pub const DEFAULT_SIZE: u32 = 20;
    /// The most rows one page holds, so one request cannot ask for a whole table.
    pub const MAX_SIZE: u32 = 1000;

    /// Page `number` of `size` rows: page 0 is taken as 1, and `size` is clamped to
    /// `1..=MAX_SIZE`.
    pub fn new(number: u32, size: u32) -> Self {
        Page {
            number: number.max(1),
            size: size.clamp(1, Self::MAX_SIZE),
        }
    }

    /// The rows to select (SQL `LIMIT`), as sqlx binds it on every driver.
    pub fn limit(&self) -> i64 {
        i64::from(self.size.clamp(1, Self::MAX_SIZE))
    }

    /// The rows to skip (SQL `OFFSET`): `(number - 1) * size`, which cannot overflow (at most
    /// about 4.3 × 10¹² for page `u32::MAX`).
    pub fn offset(&self) -> i64 {
        i64::from(self.number.saturating_sub(1)).saturating_mul(self.limit())
    }
}

impl Default for Page {
    /// Page 1 of [`Page::DEFAULT_SIZE`] rows.
    fn default() -> Self {
        Page::new(1, Self::DEFAULT_SIZE)
    }
}

/// The query string's spelling of a page, before clamping.
#[derive(Deserialize)]
struct PageQuery {
    page: Option<u32>,
    per_page: Option<u32>,
}

impl From<PageQuery> for Page {
    fn from(query: PageQuery) -> Self {
        Page::new(
            query.page.unwrap_or(1),
            query.per_page.unwrap_or(Page::DEFAULT_SIZE),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::extract::Query;
    use axum::http::{StatusCode, Uri};

    fn from_query(query: &str) -> Option<Page> {
        let uri: Uri = format!("/blogs{query}").parse().unwrap();
        Query::<Page>::try_from_uri(&uri).ok().map(|q| q.0)
    }

    #[test]
    fn new_starts_at_page_one_and_clamps_the_size() {
        let parts = |page: Page| (page.number, page.size);
        assert_eq!(parts(Page::new(0, 0)), (1, 1));
        assert_eq!(parts(Page::new(7, 5000)), (7, 1000));
        assert_eq!(parts(Page::new(2, 1000)), (2, 1000));
        assert_eq!(parts(Page::default()), (1, 20));
    }

    #[test]
    fn limit_and_offset_select_the_pages_rows() {
        let page = Page::new(1, 20);
        assert_eq!((page.limit(), page.offset()), (20, 0));
        let page = Page::new(4, 25);
        assert_eq!((page.limit(), page.offset()), (25, 75));
        let last = Page::new(u32::MAX, Page::MAX_SIZE);
        assert_eq!(last.offset(), (i64::from(u32::MAX) - 1) * 1000);
    }

    #[test]
    fn a_hand_built_page_is_clamped_too() {
        let page = Page {
            number: 0,
            size: u32::MAX,
        };
        assert_eq!((page.limit(), page.offset()), (1000, 0));
        let page = Page { number: 3, size: 0 };
        assert_eq!((page.limit(), page.offset()), (1, 2));
    }

    #[test]
    fn the_query_string_gives_the_page_and_its_size() {
        assert_eq!(from_query(""), Some(Page::default()));
        assert_eq!(from_query("?page=2&per_page=50"), Some(Page::new(2, 50)));
        assert_eq!(from_query("?per_page=5"), Some(Page::new(1, 5)));
        assert_eq!(
            from_query("?page=0&per_page=99999"),
            Some(Page::new(1, 1000))
        );
        assert_eq!(from_query("?page=3&sort=title"), Some(Page::new(3, 20)));
    }

    #[test]
    fn a_page_that_is_not_a_number_is_a_bad_request() {
        for query in ["?page=two", "?page=-1", "?per_page=1.5", "?page=4294967296"] {
            let uri: Uri = format!("/blogs{query}").parse().unwrap();
            let refused = Query::<Page>::try_from_uri(&uri).unwrap_err();
            assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{query}");
        }
    }
}
