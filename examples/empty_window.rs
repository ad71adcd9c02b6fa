//! An empty Tauri 2 window, the floor Sesame's footprint is compared with in benches/window.rs.

fn main() {
    let context = tauri::generate_context!();
    let result = tauri::Builder::default()
        .setup(|app| {
            tauri::WebviewWindowBuilder::new(
                app,
                "main",
                tauri::WebviewUrl::App("empty.html".into()),
            )
            .title("Empty")
            .build()?;
            Ok(())
        })
        .run(context);
    if let Err(error) = result {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}
