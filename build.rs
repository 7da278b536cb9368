// Embedded migrations: without this, cargo does not notice a new migration folder (STACK D7).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
