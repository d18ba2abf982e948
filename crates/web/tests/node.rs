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

/// The largest machine the browser build takes (2047 MiB) resets: the new machine reuses the
/// old one's RAM, where it used to need room for a second copy that a 32-bit wasm memory does
/// not have. (Node only: it commits two gigabytes.)
#[wasm_bindgen_test]
fn the_largest_machine_resets_in_its_own_memory() {
    use aula86_web::{Machine, MAX_MEM_BYTES};
    let msg = common::error_message(Machine::new((MAX_MEM_BYTES + (1 << 20)) as f64, None, None));
    assert!(msg.contains("at most 2047 MiB"), "{msg}");
    let mut m = Machine::new(MAX_MEM_BYTES as f64, Some("pentiumpro".into()), None)
        .expect("2047 MiB machine");
    let top = (MAX_MEM_BYTES - 4) as f64;
    for _ in 0..2 {
        m.load(top, &[1, 2, 3, 4]).expect("load");
        m.reset(None).expect("reset");
        assert_eq!(
            m.read_mem(top, 4.0).expect("read"),
            vec![0; 4],
            "cleared by the reset"
        );
        assert_eq!(m.run(100_000.0).expect("run"), "budget");
    }
}

/// The largest machine with the largest disk: a 1 GiB image read in through an `ImageBuffer`
/// fits beside 2047 MiB of RAM, but a whole copy of it does not. `diskImage` then says so (it
/// aborted the wasm instance before), `diskBytes` still gives it a piece at a time, and the
/// machine runs on. (Node only: it commits three gigabytes.)
#[wasm_bindgen_test]
fn a_disk_too_large_to_copy_whole_comes_out_in_pieces() {
    use aula86_web::{ImageBuffer, Machine, MAX_IMAGE_BYTES, MAX_MEM_BYTES};
    let mut m = Machine::new(MAX_MEM_BYTES as f64, Some("pentiumpro".into()), None)
        .expect("2047 MiB machine");
    let mut image = ImageBuffer::new(Some(MAX_IMAGE_BYTES as f64)).expect("1 GiB buffer");
    let chunk = js_sys::Uint8Array::new_with_length(4 << 20);
    for i in 0..MAX_IMAGE_BYTES / (4 << 20) {
        chunk.set_index(0, i as u8);
        image.append(&chunk).expect("append");
    }
    m.insert_disk_buffer("hdb", image).expect("a 1 GiB disk");
    let (code, msg) = common::error_code(m.disk_image("hdb"));
    assert_eq!(code, "out-of-memory", "{msg}");
    assert!(msg.contains("1024 MiB"), "{msg}");
    let at = (MAX_IMAGE_BYTES - (4 << 20)) as f64;
    assert_eq!(
        m.disk_bytes("hdb", at, 2.0).expect("a piece").to_vec(),
        vec![255, 0]
    );
    assert_eq!(m.run(100_000.0).expect("run"), "budget");
}
