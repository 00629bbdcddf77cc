// mimalloc instead of glibc's malloc: records are allocated on a task's thread and freed on
// librdkafka's and the runtime's threads, and glibc's per-thread arenas serialise those
// cross-thread frees on an arena lock (measured in docs/benchmarks.md). With the `override`
// feature it also replaces malloc/free for librdkafka itself, whose per-message allocations
// (message, payload copy, header list) follow the same pattern: glibc's _int_malloc/_int_free
// were the top of a profile of records with headers. `no_thp` keeps its arenas off transparent
// huge pages, which would otherwise round the idle RSS up (12 MiB instead of 20).
#[global_allocator]
static GLOBAL: ferry_worker::allocator::MiMalloc = ferry_worker::allocator::MiMalloc;

fn main() -> std::process::ExitCode {
    ferry_worker::cli::main()
}
