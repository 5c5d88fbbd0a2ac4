//! Exporters: one module per output format, all rendering the same [`Report`](crate::report::Report)
//! or the same replication rows. Files are written atomically by [`output::OutputSet`].

pub mod bundle;
pub mod csv;
pub mod escape;
pub mod grid;
pub mod handout;
pub mod html;
pub mod markdown;
pub mod output;
pub mod select;
pub mod sensitivity;
pub mod sweep;
pub mod terminal;
pub mod timeline;
pub mod warnings;
