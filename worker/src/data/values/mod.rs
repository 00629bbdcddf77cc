//! `org.apache.kafka.connect.data.Values`: converting Connect values to and from their string form.
//!
//! SimpleHeaderConverter is built on [`convert_to_string`] and [`parse_string`]; transforms can use
//! [`convert_to`] to coerce a value to a schema. Parsing errors are [`DataError`]s with Kafka's texts.
//!
//! Known simplification: dates are formatted and parsed in UTC with the proleptic Gregorian calendar
//! for parsing (Kafka uses the JVM default time zone, which is UTC in a Connect container).

mod convert;
mod format;
mod parse;
mod temporal;

pub use convert::{
    convert_to, date_from_logical, decimal_from_logical, schema_java_string, time_from_logical,
    time_to_logical,
};
pub use format::{convert_to_string, write_value_string};
pub use parse::parse_string;
