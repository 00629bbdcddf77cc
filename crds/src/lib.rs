//! Ferry CRD types (being written).
