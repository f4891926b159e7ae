//! The `sftpc` command; everything is in the library (see `sftpc::run`).

fn main() {
    let status = sftpc::run(std::env::args_os().skip(1).collect());
    std::process::exit(status);
}
