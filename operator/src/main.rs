fn main() {
    println!("ferry-operator {}", env!("CARGO_PKG_VERSION"));
}
