//! `openapi.yaml` is the contract: the running route table and the spec list the same
//! operations, in both directions.

use std::collections::BTreeSet;

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

fn spec() -> serde_yaml_ng::Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml"))
        .expect("openapi.yaml at the repository root");
    serde_yaml_ng::from_str(&text).expect("openapi.yaml parses")
}

fn spec_operations() -> BTreeSet<(String, String)> {
    let spec = spec();
    let paths = spec["paths"].as_mapping().expect("paths");
    let mut ops = BTreeSet::new();
    for (path, item) in paths {
        let path = path.as_str().unwrap().to_string();
        for (method, _) in item.as_mapping().unwrap() {
            let m = method.as_str().unwrap();
            if METHODS.contains(&m) {
                ops.insert((m.to_uppercase(), path.clone()));
            }
        }
    }
    ops
}

#[test]
fn every_route_is_in_openapi_and_every_operation_is_a_route() {
    let routes: BTreeSet<(String, String)> = kindred::api::route_list().into_iter().collect();
    let ops = spec_operations();
    let undocumented: Vec<_> = routes.difference(&ops).collect();
    let phantom: Vec<_> = ops.difference(&routes).collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from openapi.yaml: {undocumented:?}"
    );
    assert!(
        phantom.is_empty(),
        "openapi.yaml operations with no route: {phantom:?}"
    );
}

#[test]
fn the_spec_is_openapi_3_1_with_problem_responses() {
    let spec = spec();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(spec["components"]["schemas"]["Problem"].is_mapping());
    let paths = spec["paths"].as_mapping().unwrap();
    for (path, item) in paths {
        for (method, op) in item.as_mapping().unwrap() {
            if !METHODS.contains(&method.as_str().unwrap()) {
                continue;
            }
            assert!(
                op["operationId"].is_string(),
                "{path:?} {method:?} lacks operationId"
            );
            assert!(
                op["responses"].is_mapping(),
                "{path:?} {method:?} lacks responses"
            );
        }
    }
}
