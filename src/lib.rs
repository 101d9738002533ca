#![doc = include_str!("../README.md")]

pub mod app;
pub mod cache;
pub mod cli;
pub mod collect;
pub mod diag;
pub mod error;
pub mod evidence;
pub mod fsutil;
pub mod par;
pub mod report;
pub mod rubric;
pub mod signals;
pub mod stats;
pub mod suggest;
pub mod target;
pub mod version;
pub mod window;

pub use error::Error;
