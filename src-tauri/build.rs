fn main() {
    // The capabilities live with the shell in src-tauri/, not beside the root Cargo.toml where
    // tauri-build looks by default.
    let attributes =
        tauri_build::Attributes::new().capabilities_path_pattern("./src-tauri/capabilities/**/*");
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri-build failed: {error:#}");
    }
}
