//! Status documents of both kinds, pure: the controllers pass in what they observed and `now`.

pub mod conditions;
pub mod connect;
pub mod connector;
pub mod runtime;
