//! `svetofor`: the resident desktop app (engine, tray, notifications). It lives in the Tauri
//! package only so that Tauri's bundler (MSI, DMG) ships it beside `svetofor-window`; the code
//! is `svetofor-resident`, which links no web engine.

fn main() -> std::process::ExitCode {
    svetofor_resident::main()
}
