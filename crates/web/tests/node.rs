//! The Machine API and a slice of the 80286 vectors, run by the wasm build in Node
//! (`cargo test -p aula86-web --target wasm32-unknown-unknown --test node`).
#![cfg(target_arch = "wasm32")]

#[macro_use]
mod common;

web_tests!();

#[wasm_bindgen_test]
fn runs_in_node() {
    let v = common::global_string(&["process", "versions", "node"]).expect("process.versions.node");
    assert!(!v.is_empty());
    assert!(common::global_string(&["document", "title"]).is_none());
    wasm_bindgen_test::console_log!("running in Node {v}");
}
