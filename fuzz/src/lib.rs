//! The fuzz targets of raudit. Their bodies are in [`targets`], which the
//! top-level crate's tests/fuzz_regressions.rs also compiles to replay the
//! kept inputs. Memory is bounded by libFuzzer's `-rss_limit_mb` (see
//! run.sh): the stable toolchain builds without a sanitizer, so its
//! `-malloc_limit_mb` has no hooks to work with.

pub mod targets;
