//! The Machine API and a slice of the 80286 vectors, run by the wasm build in Chromium
//! (`CHROMEDRIVER=/usr/bin/chromedriver cargo test -p aula86-web --target wasm32-unknown-unknown
//! --test browser`; `crates/web/webdriver.json` passes Chromium's flags).
#![cfg(target_arch = "wasm32")]

#[macro_use]
mod common;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

web_tests!();

#[wasm_bindgen_test]
fn runs_in_chromium() {
    let ua = common::global_string(&["navigator", "userAgent"]).expect("navigator.userAgent");
    assert!(ua.contains("Chrome/"), "{ua}");
    assert!(common::global_string(&["process", "versions", "node"]).is_none());
    wasm_bindgen_test::console_log!("running in {ua}");
}
