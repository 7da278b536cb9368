//! Public, cacheable vocabularies and the check-in instrument. Strong ETags; a matching
//! `If-None-Match` gets 304 with no body.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::AppError;
use crate::profiles::checkin;
use crate::profiles::vocab::Cached;
use crate::state::AppState;

/// Public documents may be cached for an hour; they change only with a release.
const CACHE_CONTROL: &str = "public, max-age=3600";

fn cached(req: &HttpRequest, doc: &Cached) -> HttpResponse {
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        // If-None-Match uses the weak comparison (RFC 9110 §13.1.2): a W/ prefix is ignored.
        .is_some_and(|v| {
            v.split(',')
                .map(str::trim)
                .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == doc.etag)
        });
    let mut resp = if matches {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    resp.insert_header((header::ETAG, doc.etag.clone()))
        .insert_header((header::CACHE_CONTROL, CACHE_CONTROL));
    if matches {
        resp.finish()
    } else {
        resp.content_type("application/json; charset=utf-8")
            .body(doc.json.clone())
    }
}

pub async fn list_conditions(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    cached(&req, &state.vocab.conditions_doc)
}

pub async fn list_experiences(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    cached(&req, &state.vocab.experiences_doc)
}

pub async fn get_check_in_instrument(req: HttpRequest) -> Result<HttpResponse, AppError> {
    let json = serde_json::to_string(&checkin::instrument()).map_err(AppError::internal)?;
    let doc = Cached {
        etag: format!(
            "\"{}-{}\"",
            checkin::INSTRUMENT_ID,
            checkin::INSTRUMENT_VERSION
        ),
        json,
    };
    Ok(cached(&req, &doc))
}
