//! `ToSql`/`FromSql` for the domain newtypes, so row mapping stays typed. A value that fails
//! validation on the way out of the catalog (written by another tool) is a conversion error
//! naming the column's type, not a panic.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

use crate::model::{
    ArtistId, ArtistRole, ArtistStatus, Barcode, CatalogNumber, CatalogNumberId, Currency,
    FormatId, FormatKind, Isrc, LabelId, ReleaseId, ReleaseStatus, ReleaseType, TrackDuration,
    TrackId,
};

macro_rules! id_sql {
    ($($ty:ident),*) => {$(
        impl rusqlite::types::ToSql for $ty {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(rusqlite::types::ToSqlOutput::from(self.0))
            }
        }
        impl rusqlite::types::FromSql for $ty {
            fn column_result(
                value: rusqlite::types::ValueRef<'_>,
            ) -> rusqlite::types::FromSqlResult<Self> {
                <i64 as rusqlite::types::FromSql>::column_result(value).map($ty)
            }
        }
    )*};
}
/// Row ids of the other catalog modules (ledger, planning, shows, contracts) map the same way.
pub(crate) use id_sql;
id_sql!(
    ArtistId,
    ReleaseId,
    FormatId,
    TrackId,
    LabelId,
    CatalogNumberId
);

macro_rules! text_sql {
    ($($ty:ident => $parse:expr),*) => {$(
        impl ToSql for $ty {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }
        impl FromSql for $ty {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                let text = value.as_str()?;
                $parse(text).map_err(|e| FromSqlError::Other(Box::new(e)))
            }
        }
    )*};
}
text_sql!(
    Isrc => Isrc::parse,
    Barcode => Barcode::parse,
    CatalogNumber => CatalogNumber::parse,
    Currency => Currency::parse
);

macro_rules! code_sql {
    ($($ty:ident),*) => {$(
        impl rusqlite::types::ToSql for $ty {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(rusqlite::types::ToSqlOutput::from(self.code()))
            }
        }
        impl rusqlite::types::FromSql for $ty {
            fn column_result(
                value: rusqlite::types::ValueRef<'_>,
            ) -> rusqlite::types::FromSqlResult<Self> {
                $ty::from_code(value.as_str()?)
                    .map_err(|e| rusqlite::types::FromSqlError::Other(Box::new(e)))
            }
        }
    )*};
}
/// Code enums of the other catalog modules map the same way.
pub(crate) use code_sql;
code_sql!(
    ReleaseType,
    ReleaseStatus,
    ArtistStatus,
    ArtistRole,
    FormatKind
);

impl ToSql for TrackDuration {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(i64::from(self.millis())))
    }
}

impl FromSql for TrackDuration {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let ms = i64::column_result(value)?;
        u32::try_from(ms)
            .map(TrackDuration::from_millis)
            .map_err(|_| FromSqlError::OutOfRange(ms))
    }
}
