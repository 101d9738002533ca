#![doc = include_str!("../README.md")]

pub mod app;
pub mod batch;
pub mod cache;
pub mod cli;
pub mod collect;
pub(crate) mod diag;
pub mod error;
pub mod evidence;
pub(crate) mod fsutil;
pub mod history;
pub mod par;
pub mod projects;
pub mod report;
pub mod rubric;
pub mod signals;
pub(crate) mod stats;
pub(crate) mod suggest;
pub mod target;
pub(crate) mod tomlspan;
pub(crate) mod version;
pub mod window;

pub use error::Error;
